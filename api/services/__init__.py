"""The orchestration behind the HTTP routes and the terminal chat: one code path for both."""
