//! Workspace-level integration tests of `calls-facade`; the tests are in `facade/`.
