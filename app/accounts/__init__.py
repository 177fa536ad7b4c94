"""What the account pages (sign-in, administration) and the account commands share."""
