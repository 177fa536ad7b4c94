"""The domain: accounts, people, consent, notes, referrals, meetings and the access policy."""
