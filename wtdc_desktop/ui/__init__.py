"""The window: Qt only. Widgets call the store's query functions and never write SQL."""
