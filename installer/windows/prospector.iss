; Prospector's Windows installer (Inno Setup 6). Built by installer/build.py, which passes:
;   /DAppVersion=0.1.0  /DAppNumericVersion=0.1.0.0
;   /DAppGuid=<project.WINDOWS_APP_ID without its braces>
;   /DSourceDir=<dist\Prospector>  /DIconFile=<build\icons\prospector.ico>
;   /DOutputDir=<dist>  /DOutputBaseFilename=Prospector-0.1.0-windows-x64-setup
; Line-by-line notes, with links to Inno Setup's documentation: docs/installers.md.

#if VER < EncodeVer(6,3,0)
  #error Inno Setup 6.3 or newer is needed (x64compatible, {autopf} in per-user mode)
#endif
#ifndef AppVersion
  #error Run installer/build.py: it passes AppVersion and the other values
#endif

[Setup]
; The identity Windows knows the installation by: never change it (see installer/project.py).
AppId={{{#AppGuid}}
AppName=Prospector
AppVersion={#AppVersion}
AppVerName=Prospector {#AppVersion}
AppPublisher=Prospector
VersionInfoVersion={#AppNumericVersion}
; Per user, no administrator rights, no UAC prompt: %LOCALAPPDATA%\Programs\Prospector.
PrivilegesRequired=lowest
DefaultDirName={autopf}\Prospector
DisableDirPage=auto
DisableProgramGroupPage=yes
UsePreviousAppDir=yes
; 64-bit Python and Qt: x64 Windows, and Arm64 Windows 11 through its x64 emulation.
ArchitecturesAllowed=x64compatible
ArchitecturesInstallIn64BitMode=x64compatible
MinVersion=10.0.17763
WizardStyle=modern
SetupIconFile={#IconFile}
UninstallDisplayIcon={app}\Prospector.exe
UninstallDisplayName=Prospector
; Close a running Prospector (it holds its database open) before files are replaced.
CloseApplications=yes
RestartApplications=no
Compression=lzma2/max
SolidCompression=yes
OutputDir={#OutputDir}
OutputBaseFilename={#OutputBaseFilename}
; No file associations: the share file is an .xlsx, and .xlsx stays Excel's.
ChangesAssociations=no

[Languages]
; English, like the app itself for now (add a line per language when the app is translated).
Name: "english"; MessagesFile: "compiler:Default.isl"

[Tasks]
Name: "desktopicon"; Description: "{cm:CreateDesktopIcon}"; GroupDescription: "{cm:AdditionalIcons}"; Flags: unchecked

[InstallDelete]
; An upgrade replaces the whole runtime: no library of an older version stays beside the new.
Type: filesandordirs; Name: "{app}\_internal"

[Files]
Source: "{#SourceDir}\*"; DestDir: "{app}"; Flags: ignoreversion recursesubdirs createallsubdirs

[Icons]
Name: "{autoprograms}\Prospector"; Filename: "{app}\Prospector.exe"
Name: "{autodesktop}\Prospector"; Filename: "{app}\Prospector.exe"; Tasks: desktopicon

[Run]
Filename: "{app}\Prospector.exe"; Description: "{cm:LaunchProgram,Prospector}"; Flags: nowait postinstall skipifsilent

[Code]
// The rep's data is not in {app}: the database, its backups and the logs live in
// %LOCALAPPDATA%\Prospector\Prospector (platformdirs), the window's settings in
// HKCU\Software\Prospector. Uninstalling keeps all of it unless the box below is ticked, so
// reinstalling (or upgrading by uninstall + install) finds everything as it was.
var
  DeleteUserData: Boolean;

function AskToDeleteUserData(): Boolean;
var
  Form: TSetupForm;
  Note: TNewStaticText;
  Box: TNewCheckBox;
  OkButton, CancelButton: TNewButton;
begin
#if VER >= EncodeVer(6,6,0)
  Form := CreateCustomForm(400, 150, False, True);
#else
  Form := CreateCustomForm;
  Form.ClientWidth := ScaleX(400);
  Form.ClientHeight := ScaleY(150);
#endif
  try
    Form.Caption := 'Uninstall Prospector';

    Note := TNewStaticText.Create(Form);
    Note.Parent := Form;
    Note.Left := ScaleX(12);
    Note.Top := ScaleY(12);
    Note.Width := Form.ClientWidth - ScaleX(24);
    Note.AutoSize := False;
    Note.WordWrap := True;
    Note.Height := ScaleY(56);
    Note.Caption := 'Prospector will be removed from this computer. Your contacts stay in '
      + ExpandConstant('{localappdata}') + '\Prospector, so installing Prospector again '
      + 'finds them as they were.';

    Box := TNewCheckBox.Create(Form);
    Box.Parent := Form;
    Box.Left := ScaleX(12);
    Box.Top := Note.Top + Note.Height + ScaleY(8);
    Box.Width := Form.ClientWidth - ScaleX(24);
    Box.Height := ScaleY(20);
    Box.Caption := 'Also delete my contacts, their backups and Prospector''s settings';
    Box.Checked := False;

    OkButton := TNewButton.Create(Form);
    OkButton.Parent := Form;
    OkButton.Caption := SetupMessage(msgButtonOK);
    OkButton.Width := ScaleX(80);
    OkButton.Height := ScaleY(24);
    OkButton.Left := Form.ClientWidth - ScaleX(2 * 80 + 12 + 8);
    OkButton.Top := Form.ClientHeight - ScaleY(24 + 12);
    OkButton.ModalResult := mrOk;
    OkButton.Default := True;

    CancelButton := TNewButton.Create(Form);
    CancelButton.Parent := Form;
    CancelButton.Caption := SetupMessage(msgButtonCancel);
    CancelButton.Width := ScaleX(80);
    CancelButton.Height := ScaleY(24);
    CancelButton.Left := Form.ClientWidth - ScaleX(80 + 12);
    CancelButton.Top := OkButton.Top;
    CancelButton.ModalResult := mrCancel;
    CancelButton.Cancel := True;

    Form.ActiveControl := OkButton;
    Result := Form.ShowModal() = mrOk;
    DeleteUserData := Result and Box.Checked;
  finally
    Form.Free();
  end;
end;

function InitializeUninstall(): Boolean;
begin
  DeleteUserData := False;
  // A silent uninstall (an administrator's script) never deletes anyone's data.
  if UninstallSilent() then
    Result := True
  else
    Result := AskToDeleteUserData();
end;

procedure CurUninstallStepChanged(CurUninstallStep: TUninstallStep);
begin
  if (CurUninstallStep = usPostUninstall) and DeleteUserData then
  begin
    DelTree(ExpandConstant('{localappdata}\Prospector'), True, True, True);
    RegDeleteKeyIncludingSubkeys(HKCU, 'Software\Prospector');
  end;
end;
