//! Input resolution (Hadoop's paths, globs and comma lists) and split planning.

use std::fs;
use std::path::{Path, PathBuf};

use super::error::IoError;

/// How a file is compressed, known by its extension.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
pub enum Compression {
    /// Plain bytes.
    None,
    /// `.gz`
    Gzip,
    /// `.bz2` (or `.bz`)
    Bzip2,
    /// `.zst`
    Zstd,
}

impl Compression {
    /// The compression a file name's extension calls for.
    pub fn from_path(path: &Path) -> Compression {
        match path.extension().and_then(|e| e.to_str()) {
            Some("gz") => Compression::Gzip,
            Some("bz2") | Some("bz") => Compression::Bzip2,
            Some("zst") => Compression::Zstd,
            _ => Compression::None,
        }
    }

    /// The file extension (with the dot) for this compression; empty for none.
    pub fn extension(self) -> &'static str {
        match self {
            Compression::None => "",
            Compression::Gzip => ".gz",
            Compression::Bzip2 => ".bz2",
            Compression::Zstd => ".zst",
        }
    }
}

/// One input file.
#[derive(Clone, Debug, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
pub struct InputFile {
    /// The file's path (absolute when the location or base directory was).
    pub path: PathBuf,
    /// Its size on disk, in bytes (compressed size for compressed files).
    pub size: u64,
    /// Its compression, from its extension.
    pub compression: Compression,
}

/// A byte range `[start, end)` of one file. For a compressed file the range is always the
/// whole file.
#[derive(Clone, Debug, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
pub struct FileRange {
    /// The file.
    pub file: InputFile,
    /// The first byte of the range.
    pub start: u64,
    /// One past the last byte of the range.
    pub end: u64,
}

/// The unit of work of one reader: one or more file ranges read one after the other.
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
pub struct Split {
    /// The ranges, in reading order.
    pub parts: Vec<FileRange>,
}

impl Split {
    /// The number of bytes (on disk) this split covers.
    pub fn bytes(&self) -> u64 {
        self.parts.iter().map(|p| p.end - p.start).sum()
    }
}

/// The files of a LOAD location, as Hadoop's `FileInputFormat` lists them.
///
/// `location` may be a file, a directory (its files, recursively), a glob (`*`, `?`,
/// `[ab]`, `[a-z]`, `{a,b}`), or a comma-separated list of these; a leading `file:` or
/// `file://` is dropped. Relative locations are taken from `base_dir`. Names starting with
/// `_` or `.` found by listing a directory or matching a glob are skipped (`_SUCCESS`,
/// `.pig_schema`, hidden files, `_temporary` folders), at every depth. A location
/// that matches nothing is an [`IoError::NotFound`]. The order is deterministic: locations
/// in the order given, the files of each sorted by path.
pub fn resolve_input(location: &str, base_dir: &Path) -> Result<Vec<InputFile>, IoError> {
    let mut out = Vec::new();
    let locations = split_top_level_commas(location);
    if locations.iter().all(|l| l.trim().is_empty()) {
        return Err(IoError::NotFound {
            path: PathBuf::from(location),
        });
    }
    for loc in locations {
        let loc = loc.trim();
        if loc.is_empty() {
            continue;
        }
        let loc = strip_scheme(loc);
        let full = if Path::new(loc).is_absolute() {
            PathBuf::from(loc)
        } else {
            base_dir.join(loc)
        };
        if !has_glob_chars(loc) {
            // A literal path: a file (even a hidden one, as named) or a directory.
            let meta = fs::metadata(&full).map_err(|e| match e.kind() {
                std::io::ErrorKind::NotFound => IoError::NotFound { path: full.clone() },
                _ => IoError::io(&full, e),
            })?;
            if meta.is_dir() {
                list_dir(&full, &mut out)?;
            } else {
                out.push(input_file(full.clone(), meta.len()));
            }
            continue;
        }
        let base_str = glob::Pattern::escape(&base_dir.to_string_lossy());
        let mut matches = Vec::new();
        for pattern in expand_braces(loc) {
            let full_pattern = if Path::new(&pattern).is_absolute() || base_str.is_empty() {
                pattern
            } else {
                format!("{}/{pattern}", base_str.trim_end_matches('/'))
            };
            let opts = glob::MatchOptions {
                case_sensitive: true,
                require_literal_separator: true,
                require_literal_leading_dot: true,
            };
            let paths = glob::glob_with(&full_pattern, opts)
                .map_err(|e| IoError::format(&full, None, format!("bad glob pattern: {e}")))?;
            for entry in paths {
                let path = entry.map_err(|e| {
                    let p = e.path().to_path_buf();
                    IoError::io(p, std::io::Error::from(e))
                })?;
                if is_hidden(&path) {
                    continue;
                }
                matches.push(path);
            }
        }
        matches.sort();
        matches.dedup();
        if matches.is_empty() {
            return Err(IoError::NotFound { path: full });
        }
        for path in matches {
            let meta = fs::metadata(&path).map_err(|e| IoError::io(&path, e))?;
            if meta.is_dir() {
                list_dir(&path, &mut out)?;
            } else {
                out.push(input_file(path, meta.len()));
            }
        }
    }
    Ok(out)
}

fn input_file(path: PathBuf, size: u64) -> InputFile {
    let compression = Compression::from_path(&path);
    InputFile {
        path,
        size,
        compression,
    }
}

fn strip_scheme(loc: &str) -> &str {
    if let Some(rest) = loc.strip_prefix("file://") {
        rest
    } else if let Some(rest) = loc.strip_prefix("file:") {
        rest
    } else {
        loc
    }
}

fn has_glob_chars(s: &str) -> bool {
    s.contains(['*', '?', '[', '{'])
}

/// Hadoop's hidden-file filter: names starting with `_` or `.`.
fn is_hidden(path: &Path) -> bool {
    path.file_name()
        .and_then(|n| n.to_str())
        .is_some_and(|n| n.starts_with('_') || n.starts_with('.'))
}

/// The visible regular files under `dir`, recursively (Hadoop's recursive input listing),
/// sorted by path.
fn list_dir(dir: &Path, out: &mut Vec<InputFile>) -> Result<(), IoError> {
    let mut files = Vec::new();
    collect_dir(dir, &mut files)?;
    files.sort();
    out.extend(files.into_iter().map(|(p, s)| input_file(p, s)));
    Ok(())
}

fn collect_dir(dir: &Path, files: &mut Vec<(PathBuf, u64)>) -> Result<(), IoError> {
    for entry in fs::read_dir(dir).map_err(|e| IoError::io(dir, e))? {
        let entry = entry.map_err(|e| IoError::io(dir, e))?;
        let path = entry.path();
        if is_hidden(&path) {
            continue;
        }
        let meta = fs::metadata(&path).map_err(|e| IoError::io(&path, e))?;
        if meta.is_file() {
            files.push((path, meta.len()));
        } else if meta.is_dir() {
            collect_dir(&path, files)?;
        }
    }
    Ok(())
}

/// Splits a location list at commas that are not inside `{...}`.
fn split_top_level_commas(s: &str) -> Vec<&str> {
    let mut parts = Vec::new();
    let mut depth = 0usize;
    let mut start = 0;
    for (i, c) in s.char_indices() {
        match c {
            '{' => depth += 1,
            '}' => depth = depth.saturating_sub(1),
            ',' if depth == 0 => {
                parts.push(&s[start..i]);
                start = i + 1;
            }
            _ => {}
        }
    }
    parts.push(&s[start..]);
    parts
}

/// Expands Hadoop's `{a,b}` alternatives (nested allowed) into plain glob patterns.
pub fn expand_braces(pattern: &str) -> Vec<String> {
    // Find the first top-level '{' with its matching '}'.
    let bytes = pattern.as_bytes();
    let Some(open) = bytes.iter().position(|&b| b == b'{') else {
        return vec![pattern.to_string()];
    };
    let mut depth = 0usize;
    let mut close = None;
    let mut commas = Vec::new();
    for (i, &b) in bytes.iter().enumerate().skip(open) {
        match b {
            b'{' => depth += 1,
            b'}' => {
                depth -= 1;
                if depth == 0 {
                    close = Some(i);
                    break;
                }
            }
            b',' if depth == 1 => commas.push(i),
            _ => {}
        }
    }
    let Some(close) = close else {
        // Unbalanced: leave the rest literal.
        return vec![pattern.to_string()];
    };
    let prefix = &pattern[..open];
    let suffix = &pattern[close + 1..];
    let mut bounds = vec![open];
    bounds.extend(&commas);
    bounds.push(close);
    let mut out = Vec::new();
    for w in bounds.windows(2) {
        let alt = &pattern[w[0] + 1..w[1]];
        for tail in expand_braces(&format!("{alt}{suffix}")) {
            out.extend(expand_braces(&format!("{prefix}{tail}")));
        }
    }
    out.dedup();
    out
}

/// The smallest piece [`plan_splits`] cuts an uncompressed file into: below this, cutting
/// costs more than it gains.
pub const MIN_SPLIT_BYTES: u64 = 1 << 20;

/// Groups `files` into about `target` splits of roughly equal size (`target` is usually
/// the number of cores).
///
/// Uncompressed files are cut at byte offsets (a reader of a range owns the lines that
/// start in it, like Hadoop's `LineRecordReader`), never into pieces smaller than
/// [`MIN_SPLIT_BYTES`]; compressed files are never cut; small files are combined into
/// one split, like Pig's split combination. Empty files give no parts; no files (or only
/// empty ones) give no splits. The result is deterministic.
///
/// For formats whose records may span lines (multi-line CSV, BinStorage), use
/// [`plan_splits_opts`] with `splittable = false`; their readers are safe on cut files
/// anyway (the range starting at 0 reads the whole file), but balance is better.
pub fn plan_splits(files: &[InputFile], target: usize) -> Vec<Split> {
    plan_splits_opts(files, target, MIN_SPLIT_BYTES, true)
}

/// [`plan_splits`] with an explicit smallest piece and whether files may be cut at all.
pub fn plan_splits_opts(
    files: &[InputFile],
    target: usize,
    min_split: u64,
    splittable: bool,
) -> Vec<Split> {
    let target = target.max(1) as u64;
    let total: u64 = files.iter().map(|f| f.size).sum();
    if total == 0 {
        return Vec::new();
    }
    let goal = total.div_ceil(target).max(min_split.max(1));
    // Don't leave a remainder smaller than this at the end of a file (Hadoop's slop).
    let slop = goal / 10;
    let mut splits = Vec::new();
    let mut current = Split::default();
    let mut filled = 0u64;
    for file in files {
        if file.size == 0 {
            continue;
        }
        let cuttable = splittable && file.compression == Compression::None;
        if !cuttable {
            current.parts.push(FileRange {
                file: file.clone(),
                start: 0,
                end: file.size,
            });
            filled += file.size;
            if filled >= goal {
                splits.push(std::mem::take(&mut current));
                filled = 0;
            }
            continue;
        }
        let mut pos = 0u64;
        while pos < file.size {
            let room = goal - filled;
            let left = file.size - pos;
            let take = if left <= room + slop { left } else { room };
            current.parts.push(FileRange {
                file: file.clone(),
                start: pos,
                end: pos + take,
            });
            pos += take;
            filled += take;
            if filled >= goal {
                splits.push(std::mem::take(&mut current));
                filled = 0;
            }
        }
    }
    if !current.parts.is_empty() {
        splits.push(current);
    }
    splits
}

#[cfg(test)]
mod tests {
    use super::*;

    fn touch(dir: &Path, name: &str, body: &str) {
        let p = dir.join(name);
        if let Some(parent) = p.parent() {
            fs::create_dir_all(parent).unwrap();
        }
        fs::write(p, body).unwrap();
    }

    fn names(files: &[InputFile], base: &Path) -> Vec<String> {
        files
            .iter()
            .map(|f| {
                f.path
                    .strip_prefix(base)
                    .unwrap()
                    .to_string_lossy()
                    .into_owned()
            })
            .collect()
    }

    #[test]
    fn braces_expand() {
        assert_eq!(expand_braces("a{b,c}d"), vec!["abd", "acd"]);
        assert_eq!(expand_braces("{x,y{1,2}}/*"), vec!["x/*", "y1/*", "y2/*"]);
        assert_eq!(expand_braces("{a,b}{c,d}"), vec!["ac", "ad", "bc", "bd"]);
        assert_eq!(expand_braces("plain"), vec!["plain"]);
        assert_eq!(expand_braces("open{a"), vec!["open{a"]);
    }

    #[test]
    fn file_dir_glob_and_lists() {
        let t = tempfile::tempdir().unwrap();
        let b = t.path();
        touch(b, "d/part-m-00001", "x\n");
        touch(b, "d/part-m-00000", "y\n");
        touch(b, "d/_SUCCESS", "");
        touch(b, "d/.pig_schema", "{}");
        touch(b, "d/sub/deep", "yes\n");
        touch(b, "d/_temporary/part-m-00009", "no\n");
        touch(b, "d/sub/.hidden", "no\n");
        touch(b, "a1.txt", "1\n");
        touch(b, "a2.txt", "2\n");
        touch(b, "b1.txt", "3\n");
        touch(b, "c.gz", "");
        touch(b, "e.bz2", "");
        touch(b, "f.zst", "");

        let r = resolve_input("d", b).unwrap();
        assert_eq!(
            names(&r, b),
            vec!["d/part-m-00000", "d/part-m-00001", "d/sub/deep"]
        );
        assert_eq!(r[0].size, 2);

        let r = resolve_input("a*.txt", b).unwrap();
        assert_eq!(names(&r, b), vec!["a1.txt", "a2.txt"]);
        let r = resolve_input("?1.txt", b).unwrap();
        assert_eq!(names(&r, b), vec!["a1.txt", "b1.txt"]);
        let r = resolve_input("[ab]2.txt", b).unwrap();
        assert_eq!(names(&r, b), vec!["a2.txt"]);
        let r = resolve_input("{a,b}1.txt", b).unwrap();
        assert_eq!(names(&r, b), vec!["a1.txt", "b1.txt"]);
        let r = resolve_input("b1.txt,{a1,a2}.txt", b).unwrap();
        assert_eq!(names(&r, b), vec!["b1.txt", "a1.txt", "a2.txt"]);
        let r = resolve_input("d/*", b).unwrap();
        assert_eq!(
            names(&r, b),
            vec!["d/part-m-00000", "d/part-m-00001", "d/sub/deep"]
        );

        let abs = format!("file://{}", b.join("a1.txt").display());
        let r = resolve_input(&abs, Path::new("/nonexistent")).unwrap();
        assert_eq!(r.len(), 1);

        let r = resolve_input("*.{gz,bz2,zst}", b).unwrap();
        let comps: Vec<_> = r.iter().map(|f| f.compression).collect();
        assert_eq!(
            comps,
            vec![Compression::Gzip, Compression::Bzip2, Compression::Zstd]
        );
        assert_eq!(r[0].size, 0);
    }

    #[test]
    fn missing_is_error_naming_path() {
        let t = tempfile::tempdir().unwrap();
        let e = resolve_input("nope.txt", t.path()).unwrap_err();
        assert!(matches!(e, IoError::NotFound { .. }));
        assert!(e.to_string().contains("nope.txt"), "{e}");
        let e = resolve_input("zz*", t.path()).unwrap_err();
        assert!(e.to_string().contains("zz*"), "{e}");
        touch(t.path(), "x", "1");
        let e = resolve_input("x,missing", t.path()).unwrap_err();
        assert!(e.to_string().contains("missing"), "{e}");
        assert!(resolve_input("", t.path()).is_err());
    }

    fn file(name: &str, size: u64) -> InputFile {
        input_file(PathBuf::from(name), size)
    }

    #[test]
    fn splits_cut_combine_and_skip() {
        let files = vec![
            file("big", 1000),
            file("s1", 10),
            file("s2", 10),
            file("e", 0),
        ];
        let splits = plan_splits_opts(&files, 4, 1, true);
        // Every byte is covered exactly once, in order.
        let mut covered: Vec<(String, u64, u64)> = Vec::new();
        for s in &splits {
            for p in &s.parts {
                covered.push((p.file.path.to_string_lossy().into_owned(), p.start, p.end));
            }
        }
        let big: Vec<_> = covered.iter().filter(|c| c.0 == "big").collect();
        assert_eq!(big.first().unwrap().1, 0);
        assert_eq!(big.last().unwrap().2, 1000);
        for w in big.windows(2) {
            assert_eq!(w[0].2, w[1].1);
        }
        assert!(covered.iter().all(|c| c.0 != "e"));
        assert!(splits.len() <= 5 && splits.len() >= 3, "{splits:?}");
        // The small files are combined into one split.
        let last = splits.last().unwrap();
        assert!(last.parts.iter().any(|p| p.file.path == Path::new("s1")));
        assert!(last.parts.iter().any(|p| p.file.path == Path::new("s2")));
        // Deterministic.
        assert_eq!(splits, plan_splits_opts(&files, 4, 1, true));
    }

    #[test]
    fn compressed_and_unsplittable_never_cut() {
        let files = vec![file("a.gz", 1000), file("b", 1000)];
        let splits = plan_splits_opts(&files, 8, 1, true);
        let gz: Vec<_> = splits
            .iter()
            .flat_map(|s| &s.parts)
            .filter(|p| p.file.path == Path::new("a.gz"))
            .collect();
        assert_eq!(gz.len(), 1);
        assert_eq!((gz[0].start, gz[0].end), (0, 1000));
        let splits = plan_splits_opts(&files, 8, 1, false);
        assert_eq!(splits.iter().flat_map(|s| &s.parts).count(), 2);
    }

    #[test]
    fn small_inputs_make_one_split() {
        let files: Vec<_> = (0..50).map(|i| file(&format!("f{i}"), 100)).collect();
        let splits = plan_splits(&files, 2);
        assert_eq!(splits.len(), 1);
        assert_eq!(splits[0].parts.len(), 50);
        assert!(plan_splits(&[file("e", 0)], 2).is_empty());
        assert!(plan_splits(&[], 2).is_empty());
    }

    #[test]
    fn large_file_split_evenly() {
        let files = vec![file("big", 10 * MIN_SPLIT_BYTES)];
        let splits = plan_splits(&files, 2);
        assert_eq!(splits.len(), 2);
        assert_eq!(splits[0].bytes(), 5 * MIN_SPLIT_BYTES);
        assert_eq!(splits[1].parts[0].start, 5 * MIN_SPLIT_BYTES);
    }
}
