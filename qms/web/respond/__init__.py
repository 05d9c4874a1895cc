"""The respondent's pages: questionnaire forms read into typed answers (`forms`), view
models for the templates (`views`), and the preview of a questionnaire (`preview`).

`forms` and `views` know nothing of requests or storage, so the preview and the
access-code flow render and validate the same way and differ only in where answers
are kept.
"""
