"""The member's own account data: changing the address, a copy of everything, deleting the account."""

from community.services.account_data import deletion, email_change, export

__all__ = ["deletion", "email_change", "export"]
