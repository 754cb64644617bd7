"""The portal's number formats, on top of Django's (settings.FORMAT_MODULE_PATH)."""
