-- Appointments, reminders, attendance: see issue 4.
SELECT 1;
