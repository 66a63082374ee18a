//! The load and store functions by their Pig names and arguments, and Pig's schema
//! strings (`a:int,b:{(x:chararray)}`) as load functions take them.

use pigrs_planner::logical::FuncRef;
use pigrs_udf::func::RecordFuncRef;

use super::input::Compression;

/// The options of PigStorage's second argument.
#[derive(Clone, Debug, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct PigStorageOptions {
    /// `-schema`: on load, the input's `.pig_schema` must be used; on store, write
    /// `.pig_schema` and `.pig_header`.
    pub schema: bool,
    /// `-noschema`: do not read `.pig_schema` even when it is there.
    pub noschema: bool,
    /// `-tagFile` (or the old `-tagsource`): prepend the input file's name to each tuple.
    pub tag_file: bool,
    /// `-tagPath`: prepend the input file's full path to each tuple.
    pub tag_path: bool,
    /// Which schema fields to convert; the others load as null because nothing reads
    /// them (set by the planner's projection pushdown, never by a script). `None`: all.
    pub columns: Option<Vec<bool>>,
}

/// CSVExcelStorage's header treatment (its fourth argument).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum CsvHeader {
    /// `DEFAULT`: the first line is data; no header is written.
    #[default]
    Default,
    /// `READ_INPUT_HEADER` or `SKIP_INPUT_HEADER`: skip the first line of every input file.
    SkipInputHeader,
    /// `WRITE_OUTPUT_HEADER`: write the field names as the first line of every part file.
    WriteOutputHeader,
    /// `SKIP_OUTPUT_HEADER`: write no header.
    SkipOutputHeader,
}

/// A load function and its arguments, decoded.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum LoadFunc {
    /// `PigStorage(delimiter, options)`: delimited text lines.
    PigStorage {
        /// The field delimiter (one byte, or the UTF-8 bytes of one non-ASCII character).
        delimiter: Vec<u8>,
        /// The options of the second argument.
        options: PigStorageOptions,
    },
    /// `TextLoader()`: each line is one chararray field.
    TextLoader,
    /// `JsonLoader('a:int,b:chararray')`: one JSON object per line.
    JsonLoader {
        /// The schema string of the argument; `None` reads the input's `.pig_schema`.
        schema: Option<String>,
    },
    /// `CSVExcelStorage(delimiter, multiline, eol, header)` (and piggybank's `CSVLoader`).
    CsvExcel {
        /// The field delimiter.
        delimiter: u8,
        /// `YES_MULTILINE`: quoted fields may hold line breaks (files are then not cut).
        multiline: bool,
        /// The header treatment.
        header: CsvHeader,
    },
    /// `BinStorage()`: pigrs's binary format, which round-trips every type.
    BinStorage,
    /// `ParquetLoader('a:int,b:chararray')`: Parquet files; the optional schema argument
    /// picks columns by name.
    Parquet {
        /// The schema string of the argument; `None` takes the file's own schema.
        schema: Option<String>,
    },
    /// Piggybank's `XMLLoader('tag')`: each `<tag>...</tag>` element is one field.
    Xml {
        /// The element's tag name.
        tag: String,
    },
    /// `OrcStorage()`: ORC files, with their own schema.
    Orc,
    /// A UDF plugin's load function: lines of text, which it turns into tuples.
    Plugin(#[serde(with = "crate::cluster::wire::plugin_record_func")] RecordFuncRef),
}

/// A store function and its arguments, decoded.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum StoreFunc {
    /// `PigStorage(delimiter, options)`.
    PigStorage {
        /// The field delimiter.
        delimiter: Vec<u8>,
        /// `-schema`: also write `.pig_schema` and `.pig_header`.
        schema: bool,
    },
    /// `JsonStorage()`: one JSON object per line (and a `.pig_schema`).
    JsonStorage,
    /// `CSVExcelStorage(delimiter, multiline, eol, header)`.
    CsvExcel {
        /// The field delimiter.
        delimiter: u8,
        /// `WINDOWS`: end lines with `\r\n` instead of `\n`.
        crlf: bool,
        /// `WRITE_OUTPUT_HEADER`: write the field names first in every part file.
        header: bool,
    },
    /// `BinStorage()`.
    BinStorage,
    /// `ParquetStorer()`: one `part-*.parquet` file per task.
    Parquet,
    /// Piggybank's `MultiStorage(location, '0' [, compression [, delimiter [, remove keys]]])`:
    /// PigStorage text lines, each in a sub-folder named after its key fields' values.
    MultiStorage {
        /// The key fields' positions (`'0'` or `'0,1'`: one folder level each).
        fields: Vec<usize>,
        /// `'gz'`, `'bz2'` (or `'bz'`) or `'none'`.
        compression: Compression,
        /// The field delimiter.
        delimiter: Vec<u8>,
        /// `'true'`: leave the key fields out of the lines.
        remove_keys: bool,
    },
    /// `OrcStorage('options')`: one ORC part file per task.
    Orc(super::orc::OrcOptions),
    /// A UDF plugin's store function: it turns rows into records, written to part files.
    Plugin(RecordFuncRef),
}

impl LoadFunc {
    /// The function's name, as a script calls it.
    pub fn name(&self) -> &str {
        match self {
            LoadFunc::PigStorage { .. } => "PigStorage",
            LoadFunc::TextLoader => "TextLoader",
            LoadFunc::JsonLoader { .. } => "JsonLoader",
            LoadFunc::CsvExcel { .. } => "CSVExcelStorage",
            LoadFunc::BinStorage => "BinStorage",
            LoadFunc::Parquet { .. } => "ParquetLoader",
            LoadFunc::Xml { .. } => "XMLLoader",
            LoadFunc::Orc => "OrcStorage",
            LoadFunc::Plugin(f) => f.0.name(),
        }
    }

    /// Whether this format's files may be cut at byte offsets into several splits.
    pub fn splittable(&self) -> bool {
        match self {
            LoadFunc::PigStorage { .. }
            | LoadFunc::TextLoader
            | LoadFunc::JsonLoader { .. }
            | LoadFunc::Xml { .. }
            | LoadFunc::Plugin(_) => true,
            LoadFunc::CsvExcel { multiline, .. } => !multiline,
            LoadFunc::BinStorage => false,
            // Cut by row group (stripe): a split reads those starting inside it.
            LoadFunc::Parquet { .. } | LoadFunc::Orc => true,
        }
    }
}

/// The load function a LOAD names: a plugin's (resolved by the planner) or a built-in.
pub fn load_func_of(func: &FuncRef) -> Result<LoadFunc, String> {
    match &func.plugin {
        Some(f) if f.0.is_loader() => Ok(LoadFunc::Plugin(f.clone())),
        Some(f) => Err(format!("{} is not a load function", f.0.name())),
        None => load_func(&func.name, &func.args),
    }
}

/// The store function a STORE names: a plugin's (resolved by the planner) or a built-in.
pub fn store_func_of(func: &FuncRef) -> Result<StoreFunc, String> {
    match &func.plugin {
        Some(f) if !f.0.is_loader() => Ok(StoreFunc::Plugin(f.clone())),
        Some(f) => Err(format!("{} is not a store function", f.0.name())),
        None => store_func(&func.name, &func.args),
    }
}

/// The short name: without a `org.apache.pig.builtin.`, `org.apache.pig.piggybank.storage.`,
/// `org.apache.pig.parquet.` or `parquet.pig.` prefix.
fn short_name(name: &str) -> &str {
    [
        "org.apache.pig.builtin.",
        "org.apache.pig.piggybank.storage.",
        "org.apache.pig.parquet.",
        "parquet.pig.",
    ]
    .iter()
    .find_map(|p| name.strip_prefix(p))
    .unwrap_or(name)
}

fn max_args(name: &str, args: &[String], n: usize) -> Result<(), String> {
    if args.len() > n {
        Err(format!(
            "{name} takes at most {n} argument(s), got {}",
            args.len()
        ))
    } else {
        Ok(())
    }
}

/// Decodes a load function: `PigStorage`, `TextLoader`, `JsonLoader`, `CSVExcelStorage`,
/// `CSVLoader`, `BinStorage` or `ParquetLoader`, with or without Pig's package prefixes, and its arguments
/// (already unquoted string literals). No `USING` clause is `load_func("PigStorage", &[])`.
pub fn load_func(name: &str, args: &[String]) -> Result<LoadFunc, String> {
    let short = short_name(name);
    match short {
        "PigStorage" => {
            max_args(short, args, 2)?;
            let delimiter = match args.first() {
                Some(d) => parse_field_del(d)?,
                None => vec![b'\t'],
            };
            let options = match args.get(1) {
                Some(o) => parse_pigstorage_options(o)?,
                None => PigStorageOptions::default(),
            };
            Ok(LoadFunc::PigStorage { delimiter, options })
        }
        "TextLoader" => {
            max_args(short, args, 0)?;
            Ok(LoadFunc::TextLoader)
        }
        "JsonLoader" => {
            max_args(short, args, 1)?;
            let schema = args.first().filter(|s| !s.trim().is_empty()).cloned();
            if let Some(s) = &schema {
                parse_schema(s).map_err(|e| format!("JsonLoader: bad schema '{s}': {e}"))?;
            }
            Ok(LoadFunc::JsonLoader { schema })
        }
        "CSVExcelStorage" => {
            max_args(short, args, 4)?;
            let (delimiter, multiline, _crlf, header) = csv_args(args)?;
            Ok(LoadFunc::CsvExcel {
                delimiter,
                multiline,
                header,
            })
        }
        "CSVLoader" => {
            max_args(short, args, 1)?;
            let delimiter = match args.first() {
                Some(d) => single_byte_del(d)?,
                None => b',',
            };
            Ok(LoadFunc::CsvExcel {
                delimiter,
                multiline: false,
                header: CsvHeader::Default,
            })
        }
        "BinStorage" => {
            max_args(short, args, 0)?;
            Ok(LoadFunc::BinStorage)
        }
        "XMLLoader" => {
            let [tag] = args else {
                return Err(format!(
                    "XMLLoader takes the tag of the elements to load: XMLLoader('book'); got {} arguments",
                    args.len()
                ));
            };
            super::read::check_xml_tag(tag).map_err(|e| format!("XMLLoader: {e}"))?;
            Ok(LoadFunc::Xml { tag: tag.clone() })
        }
        "ParquetLoader" => {
            max_args(short, args, 1)?;
            let schema = args.first().filter(|s| !s.trim().is_empty()).cloned();
            if let Some(s) = &schema {
                parse_schema(s).map_err(|e| format!("ParquetLoader: bad schema '{s}': {e}"))?;
            }
            Ok(LoadFunc::Parquet { schema })
        }
        "OrcStorage" => {
            // Pig's OrcStorage takes its writing options in a LOAD too, and ignores them.
            max_args(short, args, 1)?;
            if let Some(o) = args.first() {
                super::orc::parse_options(o)?;
            }
            Ok(LoadFunc::Orc)
        }
        _ => Err(unknown("load", name)),
    }
}

/// Decodes a store function: `PigStorage`, `JsonStorage`, `CSVExcelStorage`,
/// `BinStorage` or `ParquetStorer`, with or without Pig's package prefixes. No `USING` clause is
/// `store_func("PigStorage", &[])`.
pub fn store_func(name: &str, args: &[String]) -> Result<StoreFunc, String> {
    let short = short_name(name);
    match short {
        "PigStorage" => {
            max_args(short, args, 2)?;
            let delimiter = match args.first() {
                Some(d) => parse_field_del(d)?,
                None => vec![b'\t'],
            };
            let options = match args.get(1) {
                Some(o) => parse_pigstorage_options(o)?,
                None => PigStorageOptions::default(),
            };
            Ok(StoreFunc::PigStorage {
                delimiter,
                schema: options.schema,
            })
        }
        "JsonStorage" => {
            max_args(short, args, 0)?;
            Ok(StoreFunc::JsonStorage)
        }
        "CSVExcelStorage" => {
            max_args(short, args, 4)?;
            let (delimiter, _multiline, crlf, header) = csv_args(args)?;
            Ok(StoreFunc::CsvExcel {
                delimiter,
                crlf,
                header: header == CsvHeader::WriteOutputHeader,
            })
        }
        "BinStorage" => {
            max_args(short, args, 0)?;
            Ok(StoreFunc::BinStorage)
        }
        "ParquetStorer" => {
            max_args(short, args, 0)?;
            Ok(StoreFunc::Parquet)
        }
        "MultiStorage" => multi_storage(args),
        "OrcStorage" => {
            max_args(short, args, 1)?;
            let opts = match args.first() {
                Some(o) => super::orc::parse_options(o)?,
                None => super::orc::OrcOptions::default(),
            };
            Ok(StoreFunc::Orc(opts))
        }
        _ => Err(unknown("store", name)),
    }
}

/// MultiStorage's `(location, key fields [, compression [, delimiter [, remove keys]]])`. The
/// location is the STORE's (Pig ignores the argument too).
fn multi_storage(args: &[String]) -> Result<StoreFunc, String> {
    max_args("MultiStorage", args, 5)?;
    let Some(indices) = args.get(1) else {
        return Err(
            "MultiStorage needs the output location and the key field's index: MultiStorage('out', '0')"
                .to_string(),
        );
    };
    let fields = indices
        .split(',')
        .map(|i| {
            i.trim().parse::<usize>().map_err(|_| {
                format!("MultiStorage: '{indices}' is not a field index or a comma-separated list of them")
            })
        })
        .collect::<Result<Vec<usize>, String>>()?;
    let compression = match args.get(2).map(|c| c.to_ascii_lowercase()).as_deref() {
        None | Some("none") => Compression::None,
        Some("gz") => Compression::Gzip,
        Some("bz2" | "bz") => Compression::Bzip2,
        Some(other) => {
            return Err(format!(
                "MultiStorage: unknown compression '{other}' (use 'none', 'gz' or 'bz2')"
            ));
        }
    };
    let delimiter = match args.get(3) {
        Some(d) => parse_field_del(d)?,
        None => vec![b'\t'],
    };
    let remove_keys = args.get(4).is_some_and(|r| r.eq_ignore_ascii_case("true"));
    Ok(StoreFunc::MultiStorage {
        fields,
        compression,
        delimiter,
        remove_keys,
    })
}

/// The error for a load or store function (`kind`) pigrs does not provide: a Java class
/// (a qualified name no plugin provides) gets that pigrs cannot run Java, and the plugin
/// route.
fn unknown(kind: &str, name: &str) -> String {
    if name.contains('.') {
        format!(
            "unknown {kind} function: {name}: pigrs cannot run Java; of Piggybank's it provides CSVExcelStorage, CSVLoader, MultiStorage and XMLLoader. Write the {kind} function as a Rust plugin and REGISTER 'libmyudfs.so' (see the README, \"UDF plugins\")"
        )
    } else {
        format!("unknown {kind} function: {name}")
    }
}

/// CSVExcelStorage's `(delimiter, multiline, eol, header)`.
fn csv_args(args: &[String]) -> Result<(u8, bool, bool, CsvHeader), String> {
    let delimiter = match args.first() {
        Some(d) => single_byte_del(d)?,
        None => b',',
    };
    let multiline = match args.get(1).map(|s| s.to_ascii_uppercase()) {
        None => false,
        Some(s) if s == "YES_MULTILINE" => true,
        Some(s) if s == "NO_MULTILINE" => false,
        Some(s) => {
            return Err(format!(
                "CSVExcelStorage: unknown multiline treatment '{s}'"
            ));
        }
    };
    let crlf = match args.get(2).map(|s| s.to_ascii_uppercase()) {
        None => false,
        Some(s) if s == "UNIX" || s == "NOCHANGE" => false,
        Some(s) if s == "WINDOWS" => true,
        Some(s) => return Err(format!("CSVExcelStorage: unknown line ending '{s}'")),
    };
    let header = match args.get(3).map(|s| s.to_ascii_uppercase()) {
        None => CsvHeader::Default,
        Some(s) => match s.as_str() {
            "DEFAULT" => CsvHeader::Default,
            "READ_INPUT_HEADER" | "SKIP_INPUT_HEADER" => CsvHeader::SkipInputHeader,
            "WRITE_OUTPUT_HEADER" => CsvHeader::WriteOutputHeader,
            "SKIP_OUTPUT_HEADER" => CsvHeader::SkipOutputHeader,
            _ => return Err(format!("CSVExcelStorage: unknown header treatment '{s}'")),
        },
    };
    Ok((delimiter, multiline, crlf, header))
}

fn single_byte_del(d: &str) -> Result<u8, String> {
    match parse_field_del(d)?.as_slice() {
        [b] => Ok(*b),
        _ => Err(format!("the delimiter must be a single byte: '{d}'")),
    }
}

/// PigStorage's delimiter argument, decoded like Pig's `StorageUtil.parseFieldDel`: one
/// character (surrounding single quotes are dropped), or `\t`, `\xHH` (hex), `\uNNNN`
/// (decimal, as Pig reads it); more than one other character is an error, as in Pig.
///
/// Pig keeps only the low byte of a non-ASCII character; pigrs uses its UTF-8 bytes.
pub fn parse_field_del(d: &str) -> Result<Vec<u8>, String> {
    let d = if d.len() >= 2 && d.starts_with('\'') && d.ends_with('\'') {
        &d[1..d.len() - 1]
    } else {
        d
    };
    let mut chars = d.chars();
    match (chars.next(), chars.next()) {
        (None, _) => Err("the delimiter must not be empty".to_string()),
        (Some(c), None) => Ok(c.to_string().into_bytes()),
        (Some('\\'), Some(kind)) => {
            let rest = chars.as_str();
            let byte = match kind {
                't' if rest.is_empty() => b'\t',
                'n' if rest.is_empty() => b'\n',
                'r' if rest.is_empty() => b'\r',
                '\\' if rest.is_empty() => b'\\',
                'x' => {
                    u32::from_str_radix(rest, 16).map_err(|_| format!("bad delimiter '{d}'"))? as u8
                }
                'u' => rest
                    .parse::<u32>()
                    .map_err(|_| format!("bad delimiter '{d}'"))? as u8,
                _ => return Err(format!("unknown delimiter '{d}'")),
            };
            Ok(vec![byte])
        }
        _ => Err(format!("the delimiter must be a single character: '{d}'")),
    }
}

/// PigStorage's options string: `-schema`, `-noschema`, `-tagFile`, `-tagsource`,
/// `-tagPath`, separated by spaces.
fn parse_pigstorage_options(s: &str) -> Result<PigStorageOptions, String> {
    let mut o = PigStorageOptions::default();
    for word in s.split_whitespace() {
        match word {
            "-schema" => o.schema = true,
            "-noschema" => o.noschema = true,
            "-tagFile" | "-tagfile" | "-tagsource" => o.tag_file = true,
            "-tagPath" | "-tagpath" => o.tag_path = true,
            other => return Err(format!("PigStorage: unrecognized option '{other}'")),
        }
    }
    Ok(o)
}

pub use pigrs_udf::types::parse_schema;

#[cfg(test)]
mod tests {
    use super::*;
    use pigrs_udf::{Field, PigType, Schema};

    fn s(v: &[&str]) -> Vec<String> {
        v.iter().map(|x| x.to_string()).collect()
    }

    #[test]
    fn load_names_and_delimiters() {
        let tab = LoadFunc::PigStorage {
            delimiter: vec![b'\t'],
            options: Default::default(),
        };
        assert_eq!(load_func("PigStorage", &[]).unwrap(), tab);
        assert_eq!(
            load_func("org.apache.pig.builtin.PigStorage", &s(&["\\t"])).unwrap(),
            tab
        );
        assert_eq!(load_func("PigStorage", &s(&["\t"])).unwrap(), tab);
        let d = |a: &str| match load_func("PigStorage", &s(&[a])).unwrap() {
            LoadFunc::PigStorage { delimiter, .. } => delimiter,
            _ => unreachable!(),
        };
        assert_eq!(d(","), b",");
        assert_eq!(d("\\u0001"), vec![1]);
        assert_eq!(d("\\u0010"), vec![10]); // decimal, as Pig reads it
        assert_eq!(d("\\x1F"), vec![0x1f]);
        assert_eq!(d("\u{1}"), vec![1]);
        assert_eq!(d("'|'"), b"|");
        assert_eq!(d("§"), "§".as_bytes());
        assert!(load_func("PigStorage", &s(&["::"])).is_err());
        assert!(load_func("PigStorage", &s(&[""])).is_err());
        assert!(load_func("PigStorage", &s(&["\\q"])).is_err());
        match load_func("PigStorage", &s(&[",", "-schema -tagFile"])).unwrap() {
            LoadFunc::PigStorage { options, .. } => {
                assert!(
                    options.schema && options.tag_file && !options.tag_path && !options.noschema
                )
            }
            _ => unreachable!(),
        }
        assert!(load_func("PigStorage", &s(&[",", "-bogus"])).is_err());
        assert_eq!(load_func("TextLoader", &[]).unwrap(), LoadFunc::TextLoader);
        assert_eq!(load_func("BinStorage", &[]).unwrap(), LoadFunc::BinStorage);
        assert!(load_func("Nope", &[]).is_err());
        assert!(load_func("TextLoader", &s(&["x"])).is_err());
    }

    #[test]
    fn csv_args_decoded() {
        assert_eq!(
            load_func(
                "org.apache.pig.piggybank.storage.CSVExcelStorage",
                &s(&[";", "YES_MULTILINE", "UNIX", "SKIP_INPUT_HEADER"])
            )
            .unwrap(),
            LoadFunc::CsvExcel {
                delimiter: b';',
                multiline: true,
                header: CsvHeader::SkipInputHeader
            }
        );
        assert_eq!(
            load_func("CSVLoader", &[]).unwrap(),
            LoadFunc::CsvExcel {
                delimiter: b',',
                multiline: false,
                header: CsvHeader::Default
            }
        );
        assert_eq!(
            store_func(
                "CSVExcelStorage",
                &s(&[",", "NO_MULTILINE", "WINDOWS", "WRITE_OUTPUT_HEADER"])
            )
            .unwrap(),
            StoreFunc::CsvExcel {
                delimiter: b',',
                crlf: true,
                header: true
            }
        );
        assert!(load_func("CSVExcelStorage", &s(&[",", "MAYBE"])).is_err());
        assert!(
            !load_func("CSVExcelStorage", &s(&[",", "YES_MULTILINE"]))
                .unwrap()
                .splittable()
        );
    }

    #[test]
    fn store_names() {
        assert_eq!(
            store_func("PigStorage", &s(&[",", "-schema"])).unwrap(),
            StoreFunc::PigStorage {
                delimiter: b",".to_vec(),
                schema: true
            }
        );
        assert_eq!(
            store_func("JsonStorage", &[]).unwrap(),
            StoreFunc::JsonStorage
        );
        assert_eq!(
            store_func("org.apache.pig.builtin.BinStorage", &[]).unwrap(),
            StoreFunc::BinStorage
        );
        assert!(store_func("TextLoader", &[]).is_err());
    }

    #[test]
    fn multi_storage_args() {
        assert_eq!(
            store_func(
                "org.apache.pig.piggybank.storage.MultiStorage",
                &s(&["out", "0"])
            )
            .unwrap(),
            StoreFunc::MultiStorage {
                fields: vec![0],
                compression: Compression::None,
                delimiter: vec![b'\t'],
                remove_keys: false
            }
        );
        assert_eq!(
            store_func("MultiStorage", &s(&["out", "0,2", "BZ2", ",", "true"])).unwrap(),
            StoreFunc::MultiStorage {
                fields: vec![0, 2],
                compression: Compression::Bzip2,
                delimiter: vec![b','],
                remove_keys: true
            }
        );
        assert!(store_func("MultiStorage", &s(&["out"])).is_err());
        assert!(store_func("MultiStorage", &s(&["out", "a"])).is_err());
        assert!(store_func("MultiStorage", &s(&["out", "0", "lzo"])).is_err());
        let java = load_func("org.apache.pig.piggybank.storage.AvroStorage", &[]).unwrap_err();
        assert!(java.starts_with("unknown load function"), "{java}");
        assert!(java.contains("pigrs cannot run Java"), "{java}");
        assert!(java.contains("libmyudfs.so"), "{java}");
        let plain = store_func("NoSuchStorer", &[]).unwrap_err();
        assert_eq!(plain, "unknown store function: NoSuchStorer");
    }

    #[test]
    fn schema_strings() {
        let sc = parse_schema("a:int, b:chararray,c").unwrap();
        assert_eq!(
            sc,
            Schema::new(vec![
                Field::new("a", PigType::Int),
                Field::new("b", PigType::Chararray),
                Field::new("c", PigType::Bytearray),
            ])
        );
        let inner = Schema::new(vec![
            Field::new("x", PigType::Int),
            Field::new("y", PigType::Double),
        ]);
        let want = Schema::new(vec![
            Field::new("b", PigType::Bag(Some(inner.clone()))),
            Field::new("t", PigType::Tuple(Some(inner.clone()))),
            Field::new("m", PigType::Map(None)),
            Field::new("n", PigType::Map(Some(Box::new(PigType::Long)))),
        ]);
        assert_eq!(
            parse_schema("b:{(x:int,y:double)}, t:(x:int,y:double), m:map[], n:map[long]").unwrap(),
            want
        );
        assert_eq!(
            parse_schema(
                "b:bag{t:tuple(x:INT,y:double)},t:tuple(x:int,y:double),m:map[],n:map[long]"
            )
            .unwrap(),
            want
        );
        assert_eq!(parse_schema("").unwrap(), Schema::default());
        assert!(parse_schema("a:nope").is_err());
        assert!(parse_schema("a:(b:int").is_err());
        assert!(parse_schema("a:int b").is_err());
    }
}
