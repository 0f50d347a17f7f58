"""Appointments in SQL: seats, reminders, the staff agenda (orchestration: bot/appointments/).

Reads outside a write go through the Database (`AppointmentStore`, `AgendaDays`); every
change takes the caller's transaction (`services.write()`) and never calls back into
bot code, so a change and the messages it causes commit together.
"""

from storage.appointments.agenda import AgendaChanges, AgendaDays
from storage.appointments.records import (
    AgendaMessage,
    Appointment,
    Attendance,
    DueReminder,
    NewAppointment,
    StaffMessage,
)
from storage.appointments.reminders import ReminderChanges
from storage.appointments.seats import AppointmentStore, SeatChanges

__all__ = [
    "AgendaChanges",
    "AgendaDays",
    "AgendaMessage",
    "Appointment",
    "AppointmentStore",
    "Attendance",
    "DueReminder",
    "NewAppointment",
    "ReminderChanges",
    "SeatChanges",
    "StaffMessage",
]
