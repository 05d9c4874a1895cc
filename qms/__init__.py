"""qms: quality-management self-assessment for social services."""

__version__ = "0.1.0"
