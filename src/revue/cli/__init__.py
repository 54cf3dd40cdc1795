"""The command line: plain Python, Textual is imported only to open the app."""
