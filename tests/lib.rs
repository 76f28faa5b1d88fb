//! Shared helpers for the facade tests.
