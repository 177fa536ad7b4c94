"""What other areas may read about persons: the current details of one person (or many)."""

from cases.persons.details import PersonDetails
from cases.persons.versions import current_details, current_details_of, details_of

__all__ = ["PersonDetails", "current_details", "current_details_of", "details_of"]
