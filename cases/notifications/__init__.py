"""In-app notifications about referrals, and their e-mail outbox (issue 11, point 5)."""
