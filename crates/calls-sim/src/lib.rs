//! A local, stateful sandbox of the Cartesia and Mirai Minds call APIs (work in progress).
