"""Questions in and out: GIFT import/export, QTI export and the transfer CLI."""
