"""What other areas may read about persons: the current details of one person (or many), and
when and under which rule an erased person was erased."""

from cases.persons.details import PersonDetails
from cases.persons.models import Erasure
from cases.persons.versions import current_details, current_details_of, details_of

__all__ = ["Erasure", "PersonDetails", "current_details", "current_details_of", "details_of"]
