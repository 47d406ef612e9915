"""The fields of one entry, keyboard first and big enough for a finger.

Used by the quick-entry window and by the log window's edit dialog. It only holds and shows
values; saving is the caller's job (:meth:`value` gives an :class:`EntryInput` to hand on).
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence

from PySide6.QtCore import QLocale, Qt, Signal
from PySide6.QtGui import QFont
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QVBoxLayout,
    QWidget,
)

from earshot.core.entry import MAX_IDEA, MAX_TEXT, EntryInput, Kind, Sentiment, parse_tags
from earshot.core.settings import Preferences
from earshot.gui.i18n import fill
from earshot.gui.widgets.choices import MIN_TOUCH, ChoiceRow, bind_key
from earshot.gui.widgets.words_edit import PASTE_LIMIT, WordsEdit

NO_SENTIMENT = "none"
TOO_LONG_STYLE = "color: #a40000; font-weight: bold;"


class EntryForm(QWidget):
    """Words heard, your idea, kind, mood, station, who (or no name), tags, contact, call-back."""

    changed = Signal()

    def __init__(
        self,
        preferences: Preferences,
        staff: str | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self._preferences = preferences
        self.setAccessibleName(self.tr("Entry"))

        self.text = WordsEdit(self)
        self.text.setObjectName("words")
        self.text.setAccessibleName(self.tr("What the customer said"))
        self.text.setPlaceholderText(self.tr("Type what the customer said, in their words."))
        self.text.setMinimumHeight(140)
        font = QFont(self.text.font())
        font.setPointSizeF(font.pointSizeF() * 1.3)
        self.text.setFont(font)
        words_label = QLabel(self.tr("&Words heard"), self)
        words_label.setBuddy(self.text)

        # The second, optional box: what the person who heard it thinks the company could do.
        # A paste that would take the idea past what it holds is refused, as its message says
        # (the words box takes ten times its limit, to be shortened after: see words_edit).
        self.idea = WordsEdit(self, paste_limit=MAX_IDEA)
        self.idea.setObjectName("idea")
        self.idea.setAccessibleName(self.tr("Your idea"))
        self.idea.setPlaceholderText(
            self.tr("Optional: what could the company do about it? You saw it first.")
        )
        self.idea.setMinimumHeight(MIN_TOUCH)
        idea_label = QLabel(self.tr("Yo&ur idea"), self)
        idea_label.setBuddy(self.idea)
        self._idea_label = idea_label
        self.idea_length = QLabel(self)
        self.idea_length.setObjectName("ideaLength")
        self.idea_length.setAccessibleName(self.tr("Length of your idea"))

        self.length = QLabel(self)
        self.length.setObjectName("length")
        self.length.setAccessibleName(self.tr("Length of the text"))

        self.kind = ChoiceRow(
            self.tr("Kind"),
            [
                (Kind.PRAISE.value, self.tr("&Praise")),
                (Kind.COMPLAINT.value, self.tr("&Complaint")),
                (Kind.SUGGESTION.value, self.tr("&Suggestion")),
                (Kind.QUESTION.value, self.tr("&Question")),
                (Kind.OTHER.value, self.tr("&Other")),
            ],
            self,
            self,
        )
        self.sentiment = ChoiceRow(
            self.tr("Mood"),
            [
                (Sentiment.NEGATIVE.value, self.tr("Ne&gative")),
                (Sentiment.NEUTRAL.value, self.tr("N&eutral")),
                (Sentiment.POSITIVE.value, self.tr("Pos&itive")),
                (NO_SENTIMENT, self.tr("&No mood")),
            ],
            self,
            self,
        )

        self.station = QComboBox(self)
        self.station.setAccessibleName(self.tr("Station"))
        for station in preferences.stations:
            self.station.addItem(station, station)
        station_label = QLabel(self.tr("Sta&tion"), self)
        station_label.setBuddy(self.station)

        self.staff = QComboBox(self)
        self.staff.setEditable(True)
        self.staff.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)
        self.staff.setAccessibleName(self.tr("Logged by"))
        line = self.staff.lineEdit()
        assert line is not None  # an editable combo box always has one
        line.setAccessibleName(self.tr("Logged by"))
        line.setPlaceholderText(self.tr("Your first name"))
        self.staff.addItems(list(preferences.staff))
        staff_label = QLabel(self.tr("Logged b&y"), self)
        staff_label.setBuddy(self.staff)
        # The name typed or remembered before "don't record my name" was ticked: kept in memory
        # only (never in a draft), to put back when it is unticked or after the save.
        self._named_staff = ""

        self.anonymous = QCheckBox(self)
        bind_key(self.anonymous, self.tr("Don't record my na&me"), self, "  ")
        self.anonymous.setAccessibleName(self.tr("Don't record my name"))
        self.anonymous.setAccessibleDescription(
            self.tr("The entry is sent without your name. Where you heard it stays.")
        )

        self.tags = QLineEdit(self)
        self.tags.setAccessibleName(self.tr("Tags"))
        self.tags.setPlaceholderText(self.tr("late delivery, price"))
        tags_label = QLabel(self.tr("T&ags"), self)
        tags_label.setBuddy(self.tags)

        self.contact = QLineEdit(self)
        self.contact.setAccessibleName(self.tr("Customer contact"))
        self.contact.setPlaceholderText(self.tr("Phone or e-mail, only if they asked"))
        contact_label = QLabel(self.tr("Customer contact (for a call-&back)"), self)
        contact_label.setBuddy(self.contact)

        self.follow_up = QCheckBox(self)
        bind_key(self.follow_up, self.tr("Needs &follow-up: someone should call back"), self, "  ")
        self.follow_up.setAccessibleName(self.tr("Needs follow-up"))

        self.problems = QLabel(self)
        self.problems.setObjectName("problems")
        self.problems.setAccessibleName(self.tr("Problems"))
        self.problems.setTextFormat(Qt.TextFormat.PlainText)
        self.problems.setWordWrap(True)
        self.problems.setStyleSheet("color: #a40000; font-weight: bold;")
        self.problems.hide()

        controls = (self.station, self.staff, self.anonymous, self.tags, self.contact)
        for control in (*controls, self.follow_up):
            control.setMinimumHeight(MIN_TOUCH)

        self._lay_out(words_label, station_label, staff_label, tags_label, contact_label)
        self._chain_tab_order()
        self.set_value(EntryInput(text="", station=preferences.default_station, staff=staff))
        self._connect_changes()

    def _lay_out(self, words: QLabel, *labels: QLabel) -> None:
        layout = QVBoxLayout(self)
        layout.addWidget(words)
        layout.addWidget(self.text, 1)
        layout.addWidget(self.length)
        # The idea's counter sits beside its label: no taller window for a second counter.
        idea_heading = QHBoxLayout()
        idea_heading.addWidget(self._idea_label)
        idea_heading.addStretch(1)
        idea_heading.addWidget(self.idea_length)
        layout.addLayout(idea_heading)
        layout.addWidget(self.idea)
        layout.addWidget(self.kind)
        layout.addWidget(self.sentiment)
        form = QFormLayout()
        for label, field in zip(
            labels, (self.station, self.staff, self.tags, self.contact), strict=True
        ):
            form.addRow(label, field)
        layout.addLayout(form)
        # Both boxes at the end, in Tab order too: a Tab stop between the name and the tags
        # would catch the space of a fast typist's "late delivery" and tick the box.
        boxes = QHBoxLayout()
        boxes.addWidget(self.follow_up)
        boxes.addWidget(self.anonymous)
        boxes.addStretch(1)
        layout.addLayout(boxes)
        layout.addWidget(self.problems)

    def focus_order(self) -> list[QWidget]:
        """The controls in the order Tab visits them."""
        return [
            self.text,
            self.idea,
            *self.kind.buttons.values(),
            *self.sentiment.buttons.values(),
            self.station,
            self.staff,
            self.tags,
            self.contact,
            self.follow_up,
            self.anonymous,
        ]

    def _chain_tab_order(self) -> None:
        order = self.focus_order()
        for first, second in itertools.pairwise(order):
            QWidget.setTabOrder(first, second)

    def _connect_changes(self) -> None:
        self.text.textChanged.connect(self._text_changed)
        self.text.paste_refused.connect(self._paste_refused)
        self.idea.textChanged.connect(self._idea_changed)
        self.idea.paste_refused.connect(self._idea_paste_refused)
        self.anonymous.toggled.connect(self._anonymous_toggled)
        self.kind.changed.connect(self.changed)
        self.sentiment.changed.connect(self.changed)
        self.station.currentIndexChanged.connect(self.changed)
        self.staff.currentTextChanged.connect(self.changed)
        self.tags.textChanged.connect(self.changed)
        self.contact.textChanged.connect(self.changed)
        self.follow_up.toggled.connect(self.changed)

    def _paste_refused(self, length: int) -> None:
        locale = QLocale()
        self.show_problems(
            [
                fill(
                    self.tr(
                        "That paste is far too long: %1 characters, and an entry holds up to "
                        "%2. It was not pasted; what you typed is kept, and the text is still "
                        "on the clipboard. Paste a shorter part (up to %3 characters at once)."
                    ),
                    locale.toString(length),
                    locale.toString(MAX_TEXT),
                    locale.toString(PASTE_LIMIT),
                )
            ]
        )

    def _idea_paste_refused(self, length: int) -> None:
        locale = QLocale()
        self.show_problems(
            [
                fill(
                    self.tr(
                        "That paste is far too long for your idea: %1 characters, and it holds "
                        "up to %2. It was not pasted; what you typed is kept."
                    ),
                    locale.toString(length),
                    locale.toString(MAX_IDEA),
                )
            ]
        )

    def _anonymous_toggled(self, checked: bool) -> None:
        if checked:
            self._named_staff = self.staff.currentText()
        self._show_anonymous(checked)
        self.changed.emit()

    def _show_anonymous(self, anonymous: bool) -> None:
        """No name while it is ticked: the name box is emptied and cannot be typed in."""
        line = self.staff.lineEdit()
        assert line is not None  # an editable combo box always has one
        self.staff.setCurrentText("" if anonymous else self._named_staff)
        self.staff.setEnabled(not anonymous)
        if anonymous:
            line.setPlaceholderText(self.tr("Not recorded"))
        else:
            line.setPlaceholderText(self.tr("Your first name"))

    def _text_changed(self) -> None:
        self._show_length()
        self.changed.emit()

    def _idea_changed(self) -> None:
        self._show_idea_length()
        self.changed.emit()

    def _show_length(self) -> None:
        count = self.text.length()
        locale = QLocale()
        if count > MAX_TEXT:
            self.length.setText(
                fill(
                    self.tr(
                        "Too long: %1 characters, and an entry holds up to %2. "
                        "Shorten it, or split it into two entries."
                    ),
                    locale.toString(count),
                    locale.toString(MAX_TEXT),
                )
            )
            self.length.setStyleSheet(TOO_LONG_STYLE)
        else:
            self.length.setText(
                fill(
                    self.tr("%1 of %2 characters"),
                    locale.toString(count),
                    locale.toString(MAX_TEXT),
                )
            )
            self.length.setStyleSheet("")

    def _show_idea_length(self) -> None:
        count = self.idea.length()
        locale = QLocale()
        if count > MAX_IDEA:
            self.idea_length.setText(
                fill(
                    self.tr("Too long: %1 characters, and your idea holds up to %2. Shorten it."),
                    locale.toString(count),
                    locale.toString(MAX_IDEA),
                )
            )
            self.idea_length.setStyleSheet(TOO_LONG_STYLE)
        else:
            self.idea_length.setText(
                fill(
                    self.tr("%1 of %2 characters"),
                    locale.toString(count),
                    locale.toString(MAX_IDEA),
                )
            )
            self.idea_length.setStyleSheet("")

    # -- values ---------------------------------------------------------------------------

    def value(self) -> EntryInput:
        sentiment = self.sentiment.value()
        return EntryInput(
            text=self.text.toPlainText(),
            kind=self.kind.value(),
            station=str(self.station.currentData() or self.station.currentText()),
            staff=None if self.anonymous.isChecked() else self.staff.currentText().strip() or None,
            sentiment=None if sentiment == NO_SENTIMENT else sentiment,
            tags=self.tags.text(),
            contact=self.contact.text().strip() or None,
            follow_up=self.follow_up.isChecked(),
            idea=self.idea.toPlainText(),
            anonymous=self.anonymous.isChecked(),
        )

    def set_value(self, data: EntryInput) -> None:
        self.text.setPlainText(data.text)
        self.kind.set_value(str(data.kind))
        self.sentiment.set_value(str(data.sentiment) if data.sentiment else NO_SENTIMENT)
        self._set_station(data.station)
        self._named_staff = data.staff or ""
        self.anonymous.blockSignals(True)
        self.anonymous.setChecked(bool(data.anonymous))
        self.anonymous.blockSignals(False)
        self._show_anonymous(bool(data.anonymous))
        tags = data.tags if isinstance(data.tags, str) else ", ".join(parse_tags(data.tags))
        self.tags.setText(tags)
        self.contact.setText(data.contact or "")
        self.follow_up.setChecked(bool(data.follow_up))
        self.idea.setPlainText(data.idea or "")
        self.text.moveCursor(self.text.textCursor().MoveOperation.End)
        self._show_length()
        self._show_idea_length()

    def _set_station(self, station: str) -> None:
        index = self.station.findData(station)
        if index < 0 and station:
            # An entry from before the station list changed keeps its station.
            self.station.addItem(station, station)
            index = self.station.count() - 1
        self.station.setCurrentIndex(max(index, 0))

    def set_choices(self, preferences: Preferences) -> None:
        """New station and staff lists (the settings changed); what is typed or picked stays."""
        self._preferences = preferences
        current = self.value()
        self.station.blockSignals(True)
        self.station.clear()
        for station in preferences.stations:
            self.station.addItem(station, station)
        self.station.blockSignals(False)
        self._set_station(current.station)
        self.staff.blockSignals(True)
        self.staff.clear()
        self.staff.addItems(list(preferences.staff))
        self.staff.setCurrentText(current.staff or "")
        self.staff.blockSignals(False)

    def clear_words(self) -> None:
        """Ready for the next entry: what was said goes, where and who stay.

        "Don't record my name" is for one entry at a time: it is unticked, and the name that was
        there before comes back for the next one.
        """
        current = self.value()
        staff = self._named_staff if current.anonymous else current.staff
        self.set_value(EntryInput(text="", station=current.station, staff=staff, kind=Kind.OTHER))
        self.show_problems([])

    def is_blank(self) -> bool:
        """Nothing typed or picked that a draft would need to keep."""
        data = self.value()
        return not (
            data.text.strip()
            or (data.idea or "").strip()
            or data.tags
            or data.contact
            or data.follow_up
            or data.sentiment
            or data.kind != Kind.OTHER.value
        )

    def show_problems(self, problems: Sequence[str]) -> None:
        text = "\n".join(problems)
        self.problems.setText(text)
        self.problems.setAccessibleDescription(text)
        self.problems.setVisible(bool(problems))

    def focus_words(self) -> None:
        self.text.setFocus(Qt.FocusReason.OtherFocusReason)
