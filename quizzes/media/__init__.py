"""Images in questions and case charts: upload, sanitise, store per course, serve and export."""
