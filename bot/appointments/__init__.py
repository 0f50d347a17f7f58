"""Appointments: booking, moving, cancelling, reminders, the staff agenda, attendance.

`AppointmentService` (service.py) is built once in bot/app.py and reached by handlers
as ``context.services.appointments``; it holds the staff agenda (agenda.py), the
reminder job (reminders.py) and the forget-me eraser (forgetting.py). Presentation:
messages.py, agenda_messages.py, keyboards.py, dates.py; the booking rules: rules.py.
SQL lives in storage/appointments/.
"""
