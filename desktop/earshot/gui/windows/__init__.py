"""The app's windows and dialogs: each turns what a person does into calls on the core."""
