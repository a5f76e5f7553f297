"""The demo LTI platform: real signed launches for people without an LMS (DEMO_PLATFORM=1)."""
