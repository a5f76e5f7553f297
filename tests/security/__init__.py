"""Security suite: forged tokens, CSRF, headers, tenant isolation, fuzzing and secrets."""
