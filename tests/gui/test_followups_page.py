"""The Follow-ups page, its sidebar badge, and desktop notifications, on the test's clock."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QSystemTrayIcon

from prospector.domain.contacts import ContactFields
from prospector.services.followups import ReminderKind, Snooze
from prospector.ui.dialogs.follow_up_dialog import FollowUpDialog
from prospector.ui.widgets.settings_reminders import KEEP_IN_TRAY_KEY
from prospector.ui.windows.main_window import MainWindow

PARIS = ZoneInfo("Europe/Paris")  # the clock starts Monday 16 March 2026, 09:30 UTC = 10:30 here


@pytest.fixture
def open_window(qtbot, workspace, settings, clock) -> Iterator[Callable[[], MainWindow]]:
    """Main windows on the test's clock, their days worked out in Paris."""

    def make() -> MainWindow:
        window = MainWindow(workspace, settings, clock=clock)
        qtbot.addWidget(window)
        window.show()
        qtbot.waitExposed(window)
        qtbot.waitUntil(window.notifier.timer.isActive)  # after the birthday sync's worker
        workspace.followups.set_zone(PARIS)
        window.followups_page.refresh()
        window.update_followups_badge()
        return window

    yield make


@pytest.fixture
def people(workspace) -> dict[str, int]:
    add = workspace.contacts.add
    return {
        "marie": add(
            ContactFields(
                first_name="Marie",
                last_name="Martin",
                company="Lyon Bureautique",
                phone="04 72 00 00 01",
            )
        ).id,
        "paul": add(
            ContactFields(first_name="Paul", last_name="Durand", company="Garage Durand")
        ).id,
        "zoe": add(ContactFields(first_name="Zoé", last_name="Petit", phone="06 12 34 56 78")).id,
    }


def fill(workspace, clock, people: dict[str, int]) -> dict[str, int]:
    """One follow-up in each list: an hour late, later today, the day after tomorrow."""
    create = workspace.followups.create
    now = clock()
    return {
        "late": create(
            people["marie"], now - timedelta(hours=1), ReminderKind.CALL_BACK, "Price"
        ).id,
        "today": create(
            people["paul"], now + timedelta(hours=2), ReminderKind.EMAIL, "Brochure"
        ).id,
        "soon": create(people["zoe"], now + timedelta(days=2), ReminderKind.MEETING).id,
    }


def sidebar_text(window: MainWindow) -> str:
    return window.sidebar.item(list(window._pages).index("followups")).text()


def test_the_page_lists_overdue_today_and_upcoming_with_a_badge(
    open_window, workspace, clock, people
):
    ids = fill(workspace, clock, people)
    window = open_window()
    window.show_page("followups")
    page = window.followups_page

    assert [f.id for f in page.rows()] == [ids["late"], ids["today"], ids["soon"]]
    table = page.table
    headings = [
        table.item(r, 0).text() for r in range(table.rowCount()) if page.follow_up_at(r) is None
    ]
    assert headings == ["Overdue  (1)", "Later today  (1)", "Next 7 days  (1)"]
    row = {f.id: r for r in range(table.rowCount()) if (f := page.follow_up_at(r))}
    late, today, soon = row[ids["late"]], row[ids["today"]], row[ids["soon"]]
    assert table.item(late, 0).text() == "09:30"  # 10:30 in Paris, less an hour
    assert table.item(late, 0).foreground().color().name() == "#b3261e"  # red: late
    assert table.item(late, 1).text() == "Call back"
    assert table.item(late, 2).text() == "Marie Martin  —  Lyon Bureautique"
    assert table.item(late, 3).text() == "Price"
    assert table.item(today, 0).text() == "12:30"
    assert table.item(soon, 0).text() == "Wed 18 Mar 10:30"
    assert table.item(soon, 1).text() == "Meeting"
    assert page.summary.text() == "1 overdue · 1 later today"
    assert sidebar_text(window) == "Follow-ups  (2)"  # what needs doing today


def test_an_empty_page_says_what_shows_there(open_window):
    window = open_window()
    window.show_page("followups")
    page = window.followups_page
    assert page.body.currentWidget() is page.empty
    assert page.empty.text().startswith("Nothing due.")
    assert sidebar_text(window) == "Follow-ups"
    assert not page.done_button.isEnabled()


def test_done_snooze_and_reschedule_change_the_database(
    qtbot, open_window, workspace, clock, people
):
    ids = fill(workspace, clock, people)
    window = open_window()
    window.show_page("followups")
    page = window.followups_page
    service = workspace.followups

    # Done with the D key: the one-off follow-up leaves every list, and the badge follows.
    assert page.select(ids["late"])
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow)
    page.table.setFocus()
    qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_D)
    assert ids["late"] not in [f.id for f in page.rows()]
    due = service.due(clock())
    assert ids["late"] not in [f.id for f in due.overdue + due.today + due.upcoming]
    assert sidebar_text(window) == "Follow-ups  (1)"

    # Snooze 15 minutes, from the button's menu: counted from now.
    assert page.select(ids["today"])
    action = next(a for a in page.snooze_menu.actions() if a.data() == str(Snooze.MINUTES_15))
    action.trigger()
    assert service.get(ids["today"]).due_at == clock() + timedelta(minutes=15)
    assert page.selected() is not None and page.selected().id == ids["today"]

    # Reschedule to tomorrow morning (9:00 in Paris is 08:00 UTC in March).
    dialog = page.reschedule_selected()
    assert dialog is not None
    dialog.when.choose_row(1)
    assert dialog.when.picks.currentItem().text().startswith("Tomorrow morning")
    dialog.accept()
    assert service.get(ids["today"]).due_at == datetime(2026, 3, 17, 8, 0, tzinfo=UTC)
    assert page.table.item(page.table.currentRow(), 0).text() == "Tomorrow 09:00"


def test_a_new_follow_up_for_a_contact_found_by_name(qtbot, open_window, workspace, people):
    window = open_window()
    window.show_page("followups")
    page = window.followups_page

    dialog = page.new_follow_up()
    assert dialog.search is not None and dialog.results is not None
    qtbot.keyClicks(dialog.search, "Marie")
    qtbot.waitUntil(lambda: dialog.results.count() == 1)
    dialog.accept()  # no contact chosen yet: said, nothing lost
    assert dialog.problem.isVisible() and dialog.isVisible()
    dialog.results.setCurrentRow(0)
    dialog.set_kind(ReminderKind.SEND_CARD)
    dialog.when.choose_row(0)  # later today: 12:30 in Paris
    qtbot.keyClicks(dialog.text, "Thank-you card")
    dialog.accept()

    assert dialog.created is not None and dialog.created.contact_id == people["marie"]
    assert dialog.created.kind == ReminderKind.SEND_CARD
    assert dialog.created.text == "Thank-you card"
    assert [f.contact_id for f in page.rows()] == [people["marie"]]
    assert sidebar_text(window) == "Follow-ups  (1)"


def test_a_reminder_due_in_a_second_notifies_and_the_click_opens_the_contact(
    qtbot, open_window, workspace, clock, people
):
    window = open_window()
    notifier = window.notifier
    reminder = workspace.followups.create(
        people["marie"], clock() + timedelta(seconds=1), ReminderKind.CALL_BACK, "Price list"
    )
    assert notifier.check() == []  # not yet

    clock.advance(seconds=1)
    with qtbot.waitSignal(notifier.reminder_due) as due:
        notifier.check()
    assert due.args[0].id == reminder.id
    assert notifier.last_message.splitlines() == [
        "Call back Marie Martin (Lyon Bureautique) — now",
        "Price list",
    ]
    assert notifier.last_title == "Follow-up due"
    assert sidebar_text(window) == "Follow-ups  (1)"
    with qtbot.assertNotEmitted(notifier.reminder_due):
        notifier.check()  # once per occurrence

    # Clicking the message (the tray's messageClicked when there is a tray) opens the contact.
    with qtbot.waitSignal(notifier.open_contact_requested) as clicked:
        if notifier.tray is not None:
            notifier.tray.messageClicked.emit()
        else:
            notifier.on_message_clicked()
    assert clicked.args == [people["marie"]]
    assert window.stack.currentWidget() is window.contacts_page
    assert window.contacts_page.form.contact_id == people["marie"]

    # Snoozed, it comes back: a new occurrence, a new message.
    workspace.followups.snooze(reminder.id, Snooze.MINUTES_15)
    clock.advance(minutes=15)
    with qtbot.waitSignal(notifier.reminder_due):
        notifier.check()


def test_open_and_call_from_the_page(open_window, workspace, clock, people):
    ids = fill(workspace, clock, people)
    window = open_window()
    window.show_page("followups")
    page = window.followups_page

    assert page.select(ids["soon"])
    page.open_button.click()
    assert window.stack.currentWidget() is window.contacts_page
    assert window.contacts_page.form.contact_id == people["zoe"]

    window.show_page("followups")
    assert page.select(ids["late"])
    page.call_button.click()
    assert window.stack.currentWidget() is window.call_queue_page
    card = window.call_queue_page.card_data
    assert card is not None and card.contact.id == people["marie"]

    # Zoé asked never to be called again: Call shows her card instead, and says why.
    workspace.queue.mark_do_not_call(people["zoe"], "asked on the phone")
    window.show_page("followups")
    assert page.select(ids["soon"])
    page.call_button.click()
    assert window.stack.currentWidget() is window.contacts_page
    assert window.contacts_page.form.contact_id == people["zoe"]
    assert "Zoé Petit may not be called (Do not call)" in window.statusBar().currentMessage()


def test_follow_ups_due_while_closed_show_as_missed_at_the_next_start(
    open_window, workspace, clock, people
):
    service = workspace.followups
    service.record_check(clock() - timedelta(hours=3))  # Prospector last looked 3 hours ago
    for name in ("marie", "paul", "zoe"):
        service.create(people[name], clock() - timedelta(hours=1), ReminderKind.CALL_BACK)

    window = open_window()
    window.show_page("followups")
    page = window.followups_page
    assert page.missed_banner.isVisible()
    assert page.missed_label.text().startswith("3 follow-ups came due while Prospector was closed.")
    assert len(page.due.overdue) == 3 if page.due else False

    # Closing records that they were seen: the next start has nothing missed.
    window.close()
    clock.advance(minutes=5)
    again = open_window()
    assert again.followups_page.missed_banner.isHidden()


def _open_dialogs(window: MainWindow) -> list[FollowUpDialog]:
    return [d for d in window.findChildren(FollowUpDialog) if d.isVisible()]


def test_a_follow_up_from_the_contact_s_notes_tab_or_from_anywhere_with_ctrl_r(
    qtbot, open_window, workspace, people
):
    window = open_window()
    page = window.contacts_page
    page.refresh()
    assert page.show_contact(people["paul"])
    page.detail_tabs.setCurrentWidget(page.timeline)

    qtbot.mouseClick(page.timeline.follow_up_button, Qt.MouseButton.LeftButton)
    [dialog] = _open_dialogs(window)
    assert dialog.contact_id == people["paul"]
    dialog.set_kind(ReminderKind.EMAIL)
    dialog.when.choose_row(0)  # later today
    dialog.accept()
    assert dialog.created is not None and dialog.created.contact_id == people["paul"]
    assert [f.contact_id for f in window.followups_page.rows()] == [people["paul"]]
    assert sidebar_text(window) == "Follow-ups  (1)"

    # On the call queue, Ctrl+R is for the contact on the card.
    window.call_contact(people["marie"])
    window.follow_up_action.trigger()
    [dialog] = _open_dialogs(window)
    assert dialog.contact_id == people["marie"]
    dialog.reject()

    # With nobody in view, the dialog asks who.
    window.show_page("lists")
    window.follow_up_action.trigger()
    [dialog] = _open_dialogs(window)
    assert dialog.contact_id is None and dialog.search is not None
    dialog.reject()


def test_export_to_calendar_writes_the_open_follow_ups_and_says_where(
    open_window, workspace, clock, people, tmp_path, monkeypatch
):
    import icalendar

    ids = fill(workspace, clock, people)
    window = open_window()
    page = window.followups_page
    window.show_page("followups")
    target = tmp_path / "agenda"
    monkeypatch.setattr(
        "prospector.ui.widgets.followups_page.QFileDialog.getSaveFileName",
        lambda *args, **kwargs: (str(target), "Calendar files (*.ics)"),
    )
    page.calendar_button.click()

    written = tmp_path / "agenda.ics"  # the extension is added when the rep leaves it out
    calendar = icalendar.Calendar.from_ical(written.read_bytes())
    events = [c for c in calendar.walk() if c.name == "VEVENT"]
    assert len(events) == len(ids) == 3
    assert any(str(e["SUMMARY"]).startswith("Call back") for e in events)
    assert page.export_result.isVisible()
    assert "3 follow-ups saved to agenda.ics" in page.export_result.text()


def test_a_calendar_file_that_cannot_be_written_is_explained(
    open_window, workspace, clock, people, tmp_path, monkeypatch
):
    fill(workspace, clock, people)
    page = open_window().followups_page
    shown: list[str] = []
    monkeypatch.setattr(
        "prospector.ui.widgets.followups_page.show_error",
        lambda _parent, error: shown.append(error.code),
    )
    assert page.export_calendar(tmp_path / "missing folder" / "x.ics") is None
    assert shown == ["export.calendar_not_saved"]
    assert not page.export_result.isVisible()


@pytest.fixture
def with_a_tray(monkeypatch):
    """A desktop with a system tray (the offscreen platform has none)."""
    monkeypatch.setattr(QSystemTrayIcon, "isSystemTrayAvailable", staticmethod(lambda: True))


# Offscreen, Qt's own tray falls back to a plain window and says so, and windows cannot be
# raised: neither happens on a real desktop.
_NO_TRAY_SIGNAL = (
    r"No such signal QPlatformNativeInterface::systemTrayWindowChanged"
    r"|This plugin does not support raise"
)


@pytest.mark.qt_log_ignore(_NO_TRAY_SIGNAL)
def test_kept_in_the_tray_closing_hides_and_a_reminder_brings_the_window_back(
    qtbot, with_a_tray, open_window, workspace, clock, people, settings
):
    settings.setValue(KEEP_IN_TRAY_KEY, "true")
    window = open_window()
    tray = window.notifier.tray
    assert tray is not None and tray.isVisible()
    window.close()
    assert not window.isVisible()  # hidden, not closed: the watch goes on
    assert window.notifier.timer.isActive()

    workspace.followups.create(
        people["zoe"], clock() + timedelta(seconds=1), ReminderKind.CALL_BACK, "Devis"
    )
    clock.advance(seconds=1)
    assert [f.contact_id for f in window.notifier.check()] == [people["zoe"]]
    tray.messageClicked.emit()
    assert window.isVisible()
    assert window.contacts_page.form.contact_id == people["zoe"]

    window.quit_app()  # File > Quit really stops
    assert not window.isVisible()
    assert not window.notifier.timer.isActive()


@pytest.mark.qt_log_ignore(_NO_TRAY_SIGNAL)
def test_the_tray_setting_is_chosen_in_settings_and_off_by_default(
    qtbot, with_a_tray, open_window, settings
):
    window = open_window()
    assert not window.keeps_running_in_tray()
    dialog = window.open_settings()
    dialog.show_page("reminders")
    assert not dialog.reminders.keep_in_tray.isChecked()
    dialog.reminders.keep_in_tray.setChecked(True)
    assert dialog.apply_button.isEnabled()
    assert dialog.save()
    assert window.keeps_running_in_tray()
    dialog.accept()


def test_without_a_tray_the_setting_says_why_it_cannot_be_chosen(qtbot, open_window, settings):
    settings.setValue(KEEP_IN_TRAY_KEY, "true")  # chosen on another desktop
    window = open_window()
    assert not window.keeps_running_in_tray()
    dialog = window.open_settings()
    dialog.show_page("reminders")
    assert not dialog.reminders.keep_in_tray.isEnabled()
    assert not dialog.reminders.no_tray.isHidden()
    dialog.reject()
    window.close()
    assert not window.isVisible()  # closing quits, as before
