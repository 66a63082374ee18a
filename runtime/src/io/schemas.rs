//! The planner's view of the inputs: the schema a load function declares for a LOAD
//! location with no `AS` clause, read from the files at plan time.

use std::path::{Path, PathBuf};

use pigrs_planner::SchemaProvider;
use pigrs_udf::Schema;

use super::funcs::{LoadFunc, load_func, parse_schema};
use super::input::resolve_input;
use super::json::load_schema;
use super::parquet::file_schema;

/// A [`SchemaProvider`] over local files relative to a base directory: ParquetLoader's
/// file schema (or its schema argument), OrcStorage's file schema, JsonLoader's and PigStorage's `.pig_schema`.
///
/// An input that does not exist yet (a STORE earlier in the same script may write it)
/// gives no schema; the run then reports a missing input as usual.
#[derive(Clone, Debug)]
pub struct FileSchemas {
    base_dir: PathBuf,
}

impl FileSchemas {
    /// Resolves locations against `base_dir` (the directory runs resolve them against).
    pub fn new(base_dir: &Path) -> Self {
        FileSchemas {
            base_dir: base_dir.to_path_buf(),
        }
    }
}

impl SchemaProvider for FileSchemas {
    fn load_schema(
        &self,
        func: &str,
        args: &[String],
        location: &str,
    ) -> Result<Option<Schema>, String> {
        // An unknown or malformed load function is reported when the plan is run.
        let Ok(load) = load_func(func, args) else {
            return Ok(None);
        };
        match &load {
            LoadFunc::Parquet { schema: Some(s) } => parse_schema(s)
                .map(Some)
                .map_err(|e| format!("ParquetLoader: bad schema '{s}': {e}")),
            LoadFunc::JsonLoader { schema: Some(_) } => {
                load_schema(&load, location, &self.base_dir).map_err(|e| e.to_string())
            }
            _ => {
                let Ok(files) = resolve_input(location, &self.base_dir) else {
                    return Ok(None);
                };
                if let LoadFunc::Parquet { schema: None } = load {
                    file_schema(&files).map_err(|e| e.to_string())
                } else if let LoadFunc::Orc = load {
                    super::orc::file_schema(&files).map_err(|e| e.to_string())
                } else {
                    load_schema(&load, location, &self.base_dir).map_err(|e| e.to_string())
                }
            }
        }
    }
}
