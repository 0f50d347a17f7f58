"""Running the bot for real: health and metrics, systemd notifications, daily backups.

Nothing here changes what the bot does for people; it lets an administrator (and a
monitor) see that it is doing it, and get the data back when a disk dies.
"""
