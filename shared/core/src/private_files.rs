//! Files and folders only this user may read: the embedded database, the mail
//! outbox, the local encryption key. Created with their modes from the start
//! (never world-readable for a moment), and tightened when they exist already.

use std::fs::{DirBuilder, OpenOptions, Permissions};
use std::io::Write as _;
use std::os::unix::fs::{DirBuilderExt as _, OpenOptionsExt as _, PermissionsExt as _};
use std::path::Path;

pub const DIR_MODE: u32 = 0o700;
pub const FILE_MODE: u32 = 0o600;

/// Creates `dir` (and its missing parents) with mode 0700.
pub fn create_dir(dir: &Path) -> std::io::Result<()> {
    DirBuilder::new()
        .recursive(true)
        .mode(DIR_MODE)
        .create(dir)?;
    std::fs::set_permissions(dir, Permissions::from_mode(DIR_MODE))
}

/// Makes sure `file` exists with mode 0600, keeping what it holds.
pub fn touch(file: &Path) -> std::io::Result<()> {
    OpenOptions::new()
        .create(true)
        .append(true)
        .mode(FILE_MODE)
        .open(file)?;
    std::fs::set_permissions(file, Permissions::from_mode(FILE_MODE))
}

/// Writes `contents` to `file`, which gets mode 0600.
pub fn write(file: &Path, contents: &str) -> std::io::Result<()> {
    let mut handle = OpenOptions::new()
        .create(true)
        .write(true)
        .truncate(true)
        .mode(FILE_MODE)
        .open(file)?;
    handle.set_permissions(Permissions::from_mode(FILE_MODE))?;
    handle.write_all(contents.as_bytes())
}

/// Creates `file` with `contents` and mode 0600; fails if it exists.
pub fn write_bytes_new(file: &Path, contents: &[u8]) -> std::io::Result<()> {
    let mut handle = OpenOptions::new()
        .create_new(true)
        .write(true)
        .mode(FILE_MODE)
        .open(file)?;
    handle.write_all(contents)?;
    handle.sync_all()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn mode(path: &Path) -> u32 {
        std::fs::metadata(path).unwrap().permissions().mode() & 0o777
    }

    #[test]
    fn files_and_folders_are_private_even_when_they_existed() {
        let dir = tempfile::TempDir::new().unwrap();
        let folder = dir.path().join("a/b");
        create_dir(&folder).unwrap();
        assert_eq!(mode(&folder), 0o700);
        let file = folder.join("f");
        std::fs::write(&file, "old").unwrap();
        std::fs::set_permissions(&file, Permissions::from_mode(0o644)).unwrap();
        touch(&file).unwrap();
        assert_eq!(
            (
                mode(&file),
                std::fs::read_to_string(&file).unwrap().as_str()
            ),
            (0o600, "old")
        );
        write(&file, "new").unwrap();
        assert_eq!(
            (
                mode(&file),
                std::fs::read_to_string(&file).unwrap().as_str()
            ),
            (0o600, "new")
        );
    }
}
