"""Cases, case teams, consents, disclosures, emergency access and case notes."""
