"""Handlers of the private chat with a villager: one module per flow."""
