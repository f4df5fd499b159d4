"""The Call queue page worked the way a rep works it: keys only, a whole list, to the end."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, datetime, time, timedelta

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import QApplication, QMessageBox

from prospector.domain.contacts import ContactFields
from prospector.domain.stages import ALL_STAGES, Stage
from prospector.ui.dialogs.call_back import CallBackDialog, QuickPick, quick_picks
from prospector.ui.dialogs.do_not_call_import import DoNotCallImportDialog
from prospector.ui.dialogs.keep_on_list import KeepOnListDialog
from prospector.ui.dialogs.script_editor import ScriptEditorDialog
from prospector.ui.dialogs.skip import SkipDialog
from prospector.ui.labels import stage_definition, stage_label
from prospector.ui.widgets.call_queue_page import State
from prospector.ui.windows.main_window import MainWindow

K = Qt.Key
CTRL = Qt.KeyboardModifier.ControlModifier


@pytest.fixture
def salon(workspace) -> tuple[int, list[int]]:
    """A 20-contact list, in the database before the window opens (as after an import)."""
    return _list(workspace)


@pytest.fixture
def window(qtbot, workspace, settings, clock, salon) -> Iterator[MainWindow]:
    """The main window with the test's clock: the queue proposes call-back times from it."""
    main = MainWindow(workspace, settings, clock=clock)
    qtbot.addWidget(main)
    main.show()
    qtbot.waitExposed(main)
    main.activateWindow()
    qtbot.waitUntil(main.isActiveWindow)
    yield main
    qtbot.waitUntil(main.call_queue_page.chooser.idle)  # no count left running on a closed DB


@pytest.fixture
def dialed(monkeypatch) -> list[str]:
    """Links the page opens (tel:, mailto:) instead of starting a phone app."""
    opened: list[str] = []
    monkeypatch.setattr(
        QDesktopServices, "openUrl", staticmethod(lambda url: opened.append(url.toString()))
    )
    return opened


def _list(workspace, n: int = 20) -> tuple[int, list[int]]:
    workspace.sources.add("Old directory", "directory")  # another list, never offered here
    source_id = workspace.sources.add("Salon BTP", "event")
    ids = [
        workspace.contacts.add(
            ContactFields(
                first_name=f"Ana{i:02d}",
                last_name="Pop",
                company=f"Pop BTP {i}",
                phone=f"06 12 34 56 {i:02d}",
                source_id=source_id,
            )
        ).id
        for i in range(n)
    ]
    return source_id, ids


class Keyboard:
    """Presses keys where the focus is, as a rep's keyboard does (in a dialog when one is up)."""

    def __init__(self, qtbot, window: MainWindow) -> None:
        self.qtbot = qtbot
        self.window = window

    def target(self):
        modal = QApplication.activeModalWidget()
        front = modal or self.window
        if QApplication.activeWindow() is not front:
            # The offscreen platform has no window manager to activate a dialog when it opens,
            # or the window again when it closes; do what one does.
            front.activateWindow()
            self.qtbot.waitUntil(front.isActiveWindow)
        widget = modal.focusWidget() if modal is not None else QApplication.focusWidget()
        assert widget is not None, "nothing has the keyboard focus"
        return widget

    def press(self, *keys, modifier=Qt.KeyboardModifier.NoModifier) -> None:
        for key in keys:
            self.qtbot.keyClick(self.target(), key, modifier)

    def type(self, text: str) -> None:
        self.qtbot.keyClicks(self.target(), text)

    def dialog(self, kind):
        self.qtbot.waitUntil(lambda: isinstance(QApplication.activeModalWidget(), kind))
        return QApplication.activeModalWidget()


def test_a_list_worked_to_the_end_with_keys_only(qtbot, window, workspace, clock, dialed, salon):
    """Every outcome, two questionnaires, a skip, a typed note and one Ctrl+Z, then the data."""
    source, ids = salon
    page = window.call_queue_page
    keys = Keyboard(qtbot, window)

    # The sidebar, then into the page; choose the list and start, all from the keyboard.
    window.sidebar.setFocus()
    keys.press(K.Key_Down, K.Key_Down)
    assert window.stack.currentWidget() is page
    keys.press(K.Key_Tab)
    assert page.isAncestorOf(QApplication.focusWidget())
    for _ in range(3):
        if page.source_id() != source:
            keys.press(K.Key_Down)
    assert page.source_id() == source
    keys.press(K.Key_Return)
    assert page.state == State.WORKING

    def on_screen(i: int) -> None:
        assert page.card_data is not None
        assert page.card_data.contact.id == ids[i], page.card.name.text()

    def outcome(i: int, key) -> None:
        on_screen(i)
        keys.press(key)

    for i, key in enumerate((K.Key_1, K.Key_2, K.Key_3, K.Key_4, K.Key_5)):
        outcome(i, key)
    assert "Logged: Gatekeeper for Ana04 Pop." in page.status.text()

    outcome(5, K.Key_6)  # call back: "tomorrow morning" is chosen already, Enter takes it
    keys.dialog(CallBackDialog)
    keys.press(K.Key_Return)

    outcome(6, K.Key_7)  # not interested, may we keep you? yes (Enter), in three months
    keys.dialog(KeepOnListDialog)
    keys.press(K.Key_Return)

    outcome(7, K.Key_7)  # not interested, and never again
    keys.dialog(KeepOnListDialog)
    keys.press(K.Key_Down, K.Key_Return)

    outcome(8, K.Key_8)  # send information

    on_screen(9)  # a conversation that makes a prospect
    keys.press(K.Key_Space)
    assert dialed == ["tel:+33612345609"]
    keys.press(K.Key_9)
    assert page.state == State.TALKING
    keys.press(K.Key_Y, K.Key_Y, K.Key_Y, K.Key_Y)  # market, budget, authority, need
    keys.press(K.Key_1, K.Key_4)  # within a month; repeated large purchases
    keys.press(K.Key_Tab, K.Key_Tab, K.Key_Tab, K.Key_Tab)  # from "answered" to the meeting
    keys.press(K.Key_Space)
    keys.press(K.Key_Return, modifier=CTRL)
    assert "Prospect" in page.status.text()
    assert "Fit A · engagement 45/100 · Hot" in page.status.text()

    outcome(10, K.Key_D)  # do not call, after a confirmation
    keys.dialog(QMessageBox)
    keys.press(K.Key_Y)  # the "Yes, never call again" button's key
    qtbot.waitUntil(lambda: page.card_data is not None and page.card_data.contact.id == ids[11])

    outcome(11, K.Key_S)  # skip, with a reason typed in the dialog
    skip = keys.dialog(SkipDialog)
    keys.press(K.Key_Return)  # no reason yet: nothing happens
    assert skip.isVisible()
    keys.type("Lunch time there")
    keys.press(K.Key_Return)

    outcome(12, K.Key_1)  # a slip: undo it, the same contact comes back, log the right one
    on_screen(13)
    keys.press(K.Key_Z, modifier=CTRL)
    on_screen(12)
    assert "Undone: No answer for Ana12 Pop." in page.status.text()
    keys.press(K.Key_3)

    on_screen(13)  # a conversation that leaves a lead, with who decides noted
    keys.press(K.Key_9)
    keys.press(K.Key_Y, K.Key_U, K.Key_N)  # market yes, budget unknown, authority no
    keys.press(K.Key_Up, K.Key_Tab)  # back to the authority question, into its note
    keys.type("Mme Durand, the owner")  # its n, u and y answer nothing: they are typed
    keys.press(K.Key_Return, K.Key_Y)  # on to "need": yes
    keys.press(K.Key_3, K.Key_1)  # this year; one small purchase
    keys.press(K.Key_Tab, K.Key_Space, K.Key_Tab, K.Key_Space)  # asked questions, information
    keys.press(K.Key_Enter, modifier=CTRL)
    assert "Lead" in page.status.text()
    assert "Still to learn: can afford it, can decide." in page.status.text()
    assert "Fit C · engagement 45/100 · Warm" in page.status.text()

    on_screen(14)  # a note on the call: typing S, d or 2 there must not log anything
    keys.press(K.Key_Tab)
    keys.type("Secretary said: try after 2pm")
    keys.press(K.Key_Return)
    on_screen(14)
    keys.press(K.Key_5)

    for i, key in zip(range(15, 19), (K.Key_2, K.Key_3, K.Key_1, K.Key_8), strict=True):
        outcome(i, key)
    outcome(19, K.Key_6)  # call back in a month: two steps down from tomorrow morning
    keys.dialog(CallBackDialog)
    keys.press(K.Key_Down, K.Key_Down, K.Key_Return)

    # Worked through: a calm end, with what comes back later.
    assert page.state == State.DONE
    assert page.done.title.isVisible()
    assert page.done.title.text() == "You have worked through this list."
    qtbot.waitUntil(lambda: page.chooser.idle() and "9 of 20 reached" in page.done.text.text())
    done = page.done.text.text()
    assert "9 to try again after the retry wait, the first from" in done
    assert "5 call-backs, the next on" in done
    assert "1 skipped, back from" in done
    assert page.chooser.label.text() == "9 of 20 reached · 1 never tried"

    # An hour later the skipped contact is back; Enter looks again.
    clock.advance(hours=1, minutes=1)
    keys.press(K.Key_Return)
    outcome(11, K.Key_1)
    assert page.state == State.DONE
    qtbot.waitUntil(lambda: page.chooser.idle() and page.chooser.progress.never_tried == 0)
    assert page.chooser.label.text() == "9 of 20 reached"

    _assert_database(workspace, ids)


def _assert_database(workspace, ids: list[int]) -> None:
    conn = sqlite3.connect(workspace.path)
    try:
        calls = {contact: [] for contact in ids}
        for contact, outcome, note in conn.execute(
            "SELECT contact_id, outcome, note FROM call_logs ORDER BY id"
        ):
            calls[contact].append((outcome, note))
        contacts = {
            row[0]: row[1:]
            for row in conn.execute(
                "SELECT id, stage, do_not_call, fit_grade, score, temperature FROM contacts"
            )
        }
        reminders = sorted(
            (row[0], row[1], _utc(row[2]))
            for row in conn.execute("SELECT contact_id, kind, due_at FROM reminders")
        )
        notes = sorted(conn.execute("SELECT contact_id, text FROM notes").fetchall())
        qualified = conn.execute("SELECT count(*) FROM qualifications").fetchone()[0]
    finally:
        conn.close()

    expected_outcomes = [
        "no_answer", "busy", "voicemail", "wrong_number", "gatekeeper",
        "call_back", "not_interested", "not_interested", "send_info", "talked",
        "do_not_call", "no_answer", "voicemail", "talked", "gatekeeper",
        "busy", "voicemail", "no_answer", "send_info", "call_back",
    ]  # fmt: skip
    assert [[o for o, _ in calls[c]] for c in ids] == [[o] for o in expected_outcomes]
    assert calls[ids[14]] == [("gatekeeper", "Secretary said: try after 2pm")]

    stages = [contacts[c][0] for c in ids]
    assert stages == [
        "suspect", "suspect", "suspect", "suspect", "suspect",
        "lead", "not_interested", "do_not_call", "lead", "prospect",
        "do_not_call", "suspect", "suspect", "lead", "suspect",
        "suspect", "suspect", "suspect", "lead", "lead",
    ]  # fmt: skip
    assert [contacts[ids[i]][1] for i in (7, 10)] == [1, 1]  # flagged do-not-call
    assert contacts[ids[9]][2:] == ("A", 45, "hot")
    assert contacts[ids[13]][2:] == ("C", 45, "warm")
    assert qualified == 2

    start = datetime(2026, 3, 16, 9, 30, tzinfo=UTC)  # the clock when the calls were made
    today = start.astimezone().date()

    def morning(days: int) -> datetime:  # 9:00 the rep's time, that day's offset
        return datetime.combine(today + timedelta(days=days), time(9)).astimezone().astimezone(UTC)

    assert reminders == sorted(
        [
            (ids[5], "call_back", morning(1)),  # tomorrow morning
            (ids[6], "call_back", morning(91)),  # try again in three months
            (ids[8], "email", start),
            (ids[8], "call_back", start + timedelta(days=3)),
            (ids[18], "email", start),
            (ids[18], "call_back", start + timedelta(days=3)),
            (ids[19], "call_back", morning(31)),  # in a month: 16 April
        ]
    )
    assert (ids[11], "Skipped in the call queue: Lunch time there") in notes
    assert (ids[13], "Who decides: Mme Durand, the owner") in notes


def _utc(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


def _start(qtbot, window, source_id: int):
    page = window.call_queue_page
    window.show_page("queue")
    page.chooser.select(source_id)
    page.start()
    qtbot.waitUntil(page.chooser.idle)
    return page


def test_ctrl_z_takes_back_a_skip(qtbot, window, workspace, salon):
    source, ids = salon
    page = _start(qtbot, window, source)
    keys = Keyboard(qtbot, window)
    keys.press(K.Key_S)
    keys.dialog(SkipDialog)
    keys.type("Misread the name")
    keys.press(K.Key_Return)
    qtbot.waitUntil(lambda: page.card_data.contact.id == ids[1])
    assert "Ctrl+Z to undo" in page.status.text()
    keys.press(K.Key_Z, modifier=CTRL)
    assert page.card_data.contact.id == ids[0]
    assert "Skip undone: Ana00 Pop is back." in page.status.text()
    assert workspace.queue.next_card(source).contact.id == ids[0]
    assert workspace.queue.card(ids[0]).recent_notes == ()


def test_a_do_not_call_file_from_the_menu_moves_the_queue_past_a_listed_contact(
    qtbot, window, workspace, salon, tmp_path
):
    source, ids = salon
    page = _start(qtbot, window, source)
    on_screen = workspace.contacts.get(ids[0])
    path = tmp_path / "opposition.csv"
    path.write_text(f"Téléphone\r\n{on_screen.fields.phone}\r\n", encoding="utf-8")
    window.dnc_import_action.trigger()
    dialog = window.findChild(DoNotCallImportDialog)
    assert dialog is not None and dialog.isVisible()
    dialog.path_edit.setText(str(path))
    dialog.path_edit.editingFinished.emit()
    with qtbot.waitSignal(dialog.imported, timeout=20_000):
        qtbot.mouseClick(dialog.import_button, Qt.MouseButton.LeftButton)
    assert page.card_data.contact.id == ids[1]  # the listed one is not offered any more
    assert workspace.contacts.get(ids[0]).fields.stage == "do_not_call"


def test_a_disqualifying_answer_and_ctrl_z_while_the_questions_are_open(
    qtbot, window, workspace, salon
):
    source, ids = salon
    page = _start(qtbot, window, source)
    keys = Keyboard(qtbot, window)
    keys.press(K.Key_9)
    keys.press(K.Key_Y)
    keys.press(K.Key_Z, modifier=CTRL)  # changed my mind: nothing was logged, the card is back
    assert page.state == State.WORKING
    assert "Nothing was logged for Ana00 Pop." in page.status.text()
    keys.press(K.Key_9)
    assert page.questionnaire.answers() == {}  # a fresh conversation
    keys.press(K.Key_N)  # not our market
    keys.press(K.Key_Return, modifier=CTRL)
    status = page.status.text()
    assert "Disqualified" in status
    assert "“No” to “Is the company in our target market (trade, size, region)?”" in status
    assert "Fit D · engagement 10/100 · Cold" in status
    contact = workspace.contacts.get(ids[0])
    assert contact.fields.stage == "disqualified"
    assert page.card_data.contact.id == ids[1]
    keys.press(K.Key_Z, modifier=CTRL)  # the call and its answers are taken back together
    assert page.card_data.contact.id == ids[0]
    assert workspace.contacts.get(ids[0]).fields.stage == "suspect"
    assert workspace.queue.qualifications(ids[0]) == []


def test_answers_given_while_settings_change_the_questions_keep_the_questions_asked(
    qtbot, window, workspace, salon
):
    source, ids = salon
    page = _start(qtbot, window, source)
    keys = Keyboard(qtbot, window)
    keys.press(K.Key_9)  # talked: version 1's questions open
    asked = page.questionnaire.questionnaire
    # Meanwhile (Settings, same window) "no budget" becomes a reason to drop a contact.
    stricter = replace(
        asked,
        questions=tuple(
            replace(q, disqualifies_if=("no",)) if q.key == "budget" else q for q in asked.questions
        ),
    )
    workspace.queue.save_questionnaire(stricter)
    page.apply_settings()
    assert page.questionnaire.questionnaire is asked  # what the rep sees does not change

    keys.press(K.Key_Y, K.Key_N)  # in our market; no budget
    assert page.questionnaire.answers() == {"market": "yes", "budget": "no"}
    keys.press(K.Key_Return, modifier=CTRL)

    assert "Disqualified" not in page.status.text()
    assert workspace.contacts.get(ids[0]).fields.stage != "disqualified"
    (filed,) = workspace.queue.qualifications(ids[0])
    assert filed["result"] != "disqualified"
    keys.press(K.Key_9)  # the next conversation asks version 2
    assert page.questionnaire.questionnaire.version == asked.version + 1
    keys.press(K.Key_Z, modifier=CTRL)  # closed again, nothing logged
    assert page.state == State.WORKING


def test_numbers_open_with_the_chosen_scheme_and_the_timer_counts_the_call(
    qtbot, window, workspace, salon, dialed, settings
):
    source, ids = salon
    workspace.contacts.update(
        ids[0], replace(workspace.contacts.get(ids[0]).fields, email="ana@pop.fr")
    )
    page = _start(qtbot, window, source)
    page.card.email.click()
    assert dialed == ["mailto:ana@pop.fr"]
    assert not page.card.timer_running()  # an email is not a call
    page.dial_combo.setCurrentIndex(page.dial_combo.findData("callto"))
    assert settings.value("call_queue/dial_scheme") == "callto"
    qtbot.mouseClick(page.card.phone, Qt.MouseButton.LeftButton)
    assert dialed[-1] == "callto:+33612345600"
    qtbot.waitUntil(lambda: page.card.timer_label.text() == "00:01", timeout=3000)
    qtbot.keyClick(page.card, K.Key_1)
    conn = sqlite3.connect(workspace.path)
    duration = conn.execute("SELECT duration_s FROM call_logs").fetchone()[0]
    conn.close()
    assert duration >= 1
    assert page.card.timer_label.text() == "00:00"  # the next contact starts from zero


def test_the_script_is_filled_for_the_contact_and_edited_for_the_list(
    qtbot, window, workspace, salon, monkeypatch
):
    source, ids = salon
    page = _start(qtbot, window, source)
    assert "Good morning Ana00" in page.script.plain_text()
    assert "Pop BTP 0" in page.script.plain_text()
    page.script.edit_button.click()
    editor = Keyboard(qtbot, window).dialog(ScriptEditorDialog)
    editor.opening.setPlainText("Bonjour {first_name}, ici Prospector pour {company}.")
    editor.accept()
    assert workspace.queue.script(source).opening.startswith("Bonjour {first_name}")
    assert "Bonjour Ana00, ici Prospector pour Pop BTP 0." in page.script.plain_text()
    assert workspace.queue.script(None).opening.startswith("Good morning")  # other lists keep it


def test_stages_are_explained_where_they_are_shown(qtbot, window, salon):
    page = _start(qtbot, window, salon[0])
    assert page.card.stage.toolTip() == stage_definition(Stage.SUSPECT)
    assert "Suspect" in page.card.stage.text()
    for stage in ALL_STAGES:
        assert stage_label(stage) in page.legend.text()
        assert stage_definition(stage) in page.legend.text()


def test_closing_the_window_mid_conversation_asks_first(
    qtbot, window, workspace, salon, answer_dialogs
):
    page = _start(qtbot, window, salon[0])
    page.choose("talked")
    asked = answer_dialogs(QMessageBox.StandardButton.Cancel)
    window.close()
    assert window.isVisible()  # Cancel keeps the window and the answers
    assert asked == ["Save the conversation with Ana00 Pop and its answers first?"]
    assert page.state == State.TALKING
    answer_dialogs(QMessageBox.StandardButton.Discard)
    window.close()
    assert not window.isVisible()
    assert workspace.queue.progress(salon[0]).reached == 0  # discarded: nothing was logged


def test_an_empty_list_is_done_at_once_and_says_so(qtbot, window, workspace, salon):
    empty = workspace.sources.add("Empty", "directory")
    window.call_queue_page.chooser.reload()
    page = _start(qtbot, window, empty)
    assert page.state == State.DONE
    assert "Nobody on this list is waiting to be called again." in page.done.text.text()


def test_quick_picks_for_a_call_back():
    late = datetime(2026, 3, 16, 22, 30).astimezone()  # a Monday evening, the rep's time
    picks = dict(quick_picks(late))
    assert QuickPick.LATER_TODAY not in picks  # that would be tomorrow already
    assert picks[QuickPick.TOMORROW_MORNING].replace(tzinfo=None) == datetime(2026, 3, 17, 9)
    assert picks[QuickPick.NEXT_WEEK].replace(tzinfo=None) == datetime(2026, 3, 23, 9)
    morning = dict(quick_picks(datetime(2026, 1, 31, 10, 5).astimezone()))
    assert morning[QuickPick.LATER_TODAY].replace(tzinfo=None) == datetime(2026, 1, 31, 12, 15)
    assert morning[QuickPick.IN_A_MONTH].replace(tzinfo=None) == datetime(2026, 2, 28, 9)
