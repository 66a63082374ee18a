//! Turns the AST into a checked logical plan, statement by statement: resolves aliases,
//! field names and functions, applies Pig's typing rules, and computes every schema.
//!
//! A [`Session`] keeps the aliases defined so far, so the REPL can feed it one statement at
//! a time and a script can be planned in one go. A failing statement gives one located
//! error; aliases it would have defined are remembered as broken so that later statements
//! using them do not add follow-on errors.

use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use pigrs_grammar::ast::{self as a, FieldRef, Ident, Literal, RelRef, StatementKind};
use pigrs_grammar::{Span, Spanned};
use pigrs_udf::func::{builtin_names, builtin_with_args};
use pigrs_udf::{Field, PigType, Schema, Value};

use crate::error::{PlanError, Result, did_you_mean};
use crate::expr::{ArithOp, CmpOp, Expr, ExprKind};
use crate::func::{BoundArg, Func, FuncSpec, RowFrom};
use crate::logical::{
    Amount, FuncRef, GenItem, GroupKeys, JoinStrategy, JoinType, LogicalPlan, NestedStep, Node,
    NodeId, Operator, SortKey, StreamHandle, StreamSpec,
};
use crate::typing::{
    arithmetic, castable, check_field_names, check_type_names, common, comparable, schema_of,
    type_of,
};

/// What running a statement does, in script order.
#[derive(Clone, Debug)]
pub enum Action {
    /// Execute a sink node (STORE or DUMP).
    Execute(NodeId),
    /// Print text on stdout (DESCRIBE).
    Print(String),
    /// Show the plans of a node (EXPLAIN alias), or of every sink when `None`.
    Explain {
        /// The node explained.
        node: Option<NodeId>,
        /// `-verbose` or other options as written.
        options: Vec<String>,
    },
    /// `ILLUSTRATE alias`: a small sample of the inputs traced through every step.
    Illustrate(NodeId),
    /// `rmf path`.
    Rmf(String),
    /// `fs ...`: the arguments as written.
    Fs(String),
    /// `sh ...`: the command as written.
    Sh(String),
    /// One of Grunt's file commands (`ls`, `cat`, `cd`, …), its paths resolved against
    /// the folder `cd` made current (`ls` and `pwd` alone get that folder, `cd` alone the
    /// home folder).
    File {
        /// Which command.
        command: a::FileCommand,
        /// Its paths, each where it was written.
        args: Vec<Spanned<String>>,
        /// The whole statement.
        span: Span,
    },
    /// `SET key value`.
    Set(String, String),
    /// Print a note on stderr (a REGISTER of a jar whose functions pigrs provides).
    Note(String),
}

/// What the planner asks about a LOAD with no `AS` clause: the schema its load function
/// declares for the location (Pig's `LoadMetadata.getSchema`), such as a Parquet file's
/// own schema or a `.pig_schema` file beside the input. The planner never reads files;
/// the driver implements this with the runtime's io.
pub trait SchemaProvider: std::fmt::Debug + Send + Sync {
    /// The schema of `location` as read by load function `func` with `args`; `Ok(None)`
    /// when the function declares none (or the input does not exist yet), `Err` with a
    /// message when the input is there but its schema cannot be read.
    fn load_schema(
        &self,
        func: &str,
        args: &[String],
        location: &str,
    ) -> std::result::Result<Option<Schema>, String>;
}

/// The planning state of a script or REPL session.
#[derive(Debug, Default)]
pub struct Session {
    /// Asked for the schema of a LOAD with no `AS` clause; none means no such schemas.
    schemas: Option<Arc<dyn SchemaProvider>>,
    /// Every node planned so far.
    pub plan: LogicalPlan,
    aliases: HashMap<String, (NodeId, Span)>,
    /// The alias the latest statement defined: what `@` names.
    last_alias: Option<String>,
    /// How many UDF columns were named after Pig's `getSchemaName` (TOTUPLE's).
    schema_ids: std::cell::Cell<u32>,
    /// Aliases whose defining statement failed, with that statement's span.
    broken: HashMap<String, Span>,
    defines: HashMap<String, FuncRef>,
    /// Streaming commands bound by ``DEFINE alias `command` ...``.
    commands: HashMap<String, a::StreamCommand>,
    /// Nested FOREACH aliases for `DESCRIBE outer::inner`.
    nested_schemas: HashMap<(String, String), PigType>,
    /// The folder relative `REGISTER` paths are read from (empty: the working directory);
    /// `None`: this session loads no plugins (the fuzzer, planner tests).
    plugin_dir: Option<PathBuf>,
    /// The plugin libraries registered so far, with the path of their REGISTER.
    plugins: Vec<(Arc<pigrs_plugin_host::Library>, Span)>,
    /// The path of the first REGISTER that failed: calls of unknown qualified functions
    /// are then follow-on errors, not reported again.
    failed_register: Option<Span>,
    /// The first REGISTER of a DataFu or Piggybank jar: their functions are built in.
    java_jar: Option<Span>,
    /// The folder the last `cd` made current, which relative LOAD, STORE and file-command
    /// paths start from; `None`: the working directory.
    cwd: Option<String>,
}

/// The help of the errors for Java: the route pigrs offers instead.
const JAVA_HELP: &str = "write the functions as a Rust plugin and REGISTER 'libmyudfs.so'; (see the README, \"UDF plugins\")";

/// An error caused by an earlier failed statement: a script does not report it again (the
/// shell, which runs statements one by one, shows `message`).
fn follow_on(span: Span, message: String) -> PlanError {
    PlanError {
        kind: crate::error::ErrorKind::FollowOn,
        ..PlanError::plan(span, message)
    }
}

fn is_follow_on(e: &PlanError) -> bool {
    e.kind == crate::error::ErrorKind::FollowOn
}

/// Plans a whole script: every statement, in order. Returns all errors (one per failing
/// statement) when any statement fails.
pub fn plan_script(
    script: &a::Script,
) -> std::result::Result<(Session, Vec<Action>), Vec<PlanError>> {
    plan_script_with(script, None, None)
}

/// [`plan_script`] with a [`SchemaProvider`] for the loads that have no `AS` clause, and
/// the script's folder, which relative `REGISTER` paths are read from (`None`: REGISTER
/// loads no plugin and is an error).
pub fn plan_script_with(
    script: &a::Script,
    schemas: Option<Arc<dyn SchemaProvider>>,
    dir: Option<&Path>,
) -> std::result::Result<(Session, Vec<Action>), Vec<PlanError>> {
    let mut session = Session::with_schemas(schemas);
    session.plugin_dir = dir.map(Path::to_path_buf);
    let mut actions = Vec::new();
    let mut errors = Vec::new();
    for stmt in &script.statements {
        match session.statement(stmt) {
            Ok(mut acts) => actions.append(&mut acts),
            Err(e) if is_follow_on(&e) => {}
            Err(e) => errors.push(e),
        }
    }
    if errors.is_empty() {
        Ok((session, actions))
    } else {
        Err(errors)
    }
}

impl Session {
    /// An empty session that asks `schemas` for the schema of loads with no `AS` clause.
    pub fn with_schemas(schemas: Option<Arc<dyn SchemaProvider>>) -> Self {
        Session {
            schemas,
            ..Session::default()
        }
    }

    /// Lets `REGISTER` load plugin libraries, reading relative paths from `dir` (empty:
    /// the working directory).
    pub fn load_plugins_from(mut self, dir: PathBuf) -> Self {
        self.plugin_dir = Some(dir);
        self
    }

    /// The folder the last `cd` made current (`None`: the working directory).
    pub fn working_dir(&self) -> Option<&str> {
        self.cwd.as_deref()
    }

    /// Sets the folder relative paths start from: the shell puts it back when a `cd`
    /// fails to run.
    pub fn set_working_dir(&mut self, dir: Option<String>) {
        self.cwd = dir;
    }

    /// The node an alias names, if it is defined.
    pub fn alias(&self, name: &str) -> Option<NodeId> {
        self.aliases.get(name).map(|(id, _)| *id)
    }

    /// The aliases defined so far.
    pub fn alias_names(&self) -> impl Iterator<Item = &str> {
        self.aliases.keys().map(String::as_str)
    }

    /// The functions a call may name besides the built-ins: the DEFINEd names and the
    /// qualified names of the registered plugins' functions, sorted.
    pub fn function_names(&self) -> Vec<String> {
        let mut names: Vec<String> = self.defines.keys().cloned().collect();
        names.extend(self.plugin_names());
        names.sort();
        names
    }

    /// Plans one statement; on error, nothing it would define stays defined.
    pub fn statement(&mut self, stmt: &a::Statement) -> Result<Vec<Action>> {
        let span = stmt.span;
        match &stmt.node {
            StatementKind::Assign { alias, op } => {
                match self.op(op, span, Some(&alias.node)) {
                    Ok(id) => {
                        self.broken.remove(&alias.node);
                        self.aliases.insert(alias.node.clone(), (id, alias.span));
                        self.last_alias = Some(alias.node.clone());
                    }
                    Err(e) => {
                        self.aliases.remove(&alias.node);
                        self.broken.insert(alias.node.clone(), span);
                        return Err(e);
                    }
                }
                Ok(vec![])
            }
            StatementKind::Store {
                relation,
                path,
                func,
            } => {
                let input = self.relation(relation)?;
                let func = self.func_ref(func.as_ref(), "PigStorage", span);
                let func = self.with_record_func(func, false)?;
                let schema = self.plan.node(input).schema.clone();
                if let Some(f) = &func.plugin {
                    f.0.check_schema(schema.as_ref()).map_err(|m| {
                        PlanError::plan(
                            func.span,
                            format!("{} cannot store {relation}: {m}", f.0.name()),
                        )
                    })?;
                }
                let id = self.plan.add(Node {
                    op: Operator::Store {
                        location: crate::paths::resolve_location(self.cwd.as_deref(), &path.node),
                        func,
                    },
                    inputs: vec![input],
                    schema,
                    alias: None,
                    span,
                });
                Ok(vec![Action::Execute(id)])
            }
            StatementKind::Dump(relation) => {
                let input = self.relation(relation)?;
                let schema = self.plan.node(input).schema.clone();
                let id = self.plan.add(Node {
                    op: Operator::Dump,
                    inputs: vec![input],
                    schema,
                    alias: None,
                    span,
                });
                Ok(vec![Action::Execute(id)])
            }
            StatementKind::Describe(path) => Ok(vec![Action::Print(self.describe(path)?)]),
            StatementKind::Explain { options, alias } => {
                let node = alias.as_ref().map(|a| self.alias_ref(a)).transpose()?;
                Ok(vec![Action::Explain {
                    node,
                    options: options.iter().map(|o| o.node.clone()).collect(),
                }])
            }
            StatementKind::Illustrate(Some(alias)) => {
                Ok(vec![Action::Illustrate(self.alias_ref(alias)?)])
            }
            StatementKind::Illustrate(None) => Err(PlanError::not_implemented(
                span,
                "ILLUSTRATE of a whole script",
            )
            .with_help("name a relation: ILLUSTRATE alias;")),
            StatementKind::Split {
                input,
                branches,
                otherwise,
            } => {
                let outputs = || branches.iter().map(|(a, _)| a).chain(otherwise);
                if let Err(e) = self.split(input, branches, otherwise.as_ref(), span) {
                    for alias in outputs() {
                        self.aliases.remove(&alias.node);
                        self.broken.insert(alias.node.clone(), span);
                    }
                    return Err(e);
                }
                for alias in outputs() {
                    self.broken.remove(&alias.node);
                }
                Ok(vec![])
            }
            StatementKind::Define { alias, target } => match target {
                a::DefineTarget::Func(spec) => {
                    let f = self.func_ref(Some(spec), "", span);
                    self.defines.insert(alias.node.clone(), f);
                    Ok(vec![])
                }
                a::DefineTarget::Command(cmd) => {
                    check_stream_command(cmd)?;
                    self.commands.insert(alias.node.clone(), cmd.clone());
                    Ok(vec![])
                }
            },
            StatementKind::MacroDef(_) | StatementKind::Import(_) => Ok(vec![]),
            StatementKind::MacroCall { name, .. } => Err(PlanError::internal(format!(
                "macro `{}` was not expanded",
                name.node
            ))),
            StatementKind::Register { path, using: None } => {
                let registered = self.register(&path.node, path.span);
                if registered.is_err() {
                    self.failed_register.get_or_insert(path.span);
                }
                registered
            }
            StatementKind::Register {
                path,
                using: Some(_),
            } => Err(PlanError::not_implemented(
                path.span,
                "REGISTER ... USING (UDFs in a scripting language)",
            )
            .with_help("pigrs runs UDF plugins written in Rust: REGISTER 'libmyudfs.so';")),
            StatementKind::Set { key, value } => {
                let value = value
                    .as_ref()
                    .map(|v| literal_text(&v.node))
                    .unwrap_or_default();
                Ok(vec![Action::Set(key.node.clone(), value)])
            }
            StatementKind::Fs(args) => Ok(vec![Action::Fs(args.node.clone())]),
            StatementKind::Sh(cmd) => Ok(vec![Action::Sh(cmd.node.clone())]),
            StatementKind::Rmf(path) => Ok(vec![Action::Rmf(crate::paths::resolve(
                self.cwd.as_deref(),
                &path.node,
            ))]),
            StatementKind::FileCommand { command, args } => {
                let home = std::env::var("HOME").ok();
                let args = crate::paths::file_command_args(
                    command.node,
                    args,
                    span,
                    self.cwd.as_deref(),
                    home.as_deref(),
                )?;
                if command.node == a::FileCommand::Cd {
                    self.cwd = args.first().map(|a| a.node.clone());
                }
                Ok(vec![Action::File {
                    command: command.node,
                    args,
                    span,
                }])
            }
            // A bare `exec` runs the statements so far: a script runs them all anyway.
            StatementKind::Exec(call) if call.script.is_none() => Ok(vec![]),
            StatementKind::Exec(_) | StatementKind::Run(_) => Err(PlanError::not_implemented(
                span,
                "exec/run of another script",
            )),
        }
    }

    /// `SPLIT input INTO a IF cond, ... [, z OTHERWISE]`: one FILTER per output.
    fn split(
        &mut self,
        input: &RelRef,
        branches: &[(Ident, a::Expr)],
        otherwise: Option<&Ident>,
        span: Span,
    ) -> Result<()> {
        let input = self.relation(input)?;
        let schema = self.plan.node(input).schema.clone();
        let mut conds = Vec::new();
        for (alias, cond) in branches {
            let cond = self.condition(cond, schema.as_ref())?;
            conds.push(cond.clone());
            let id = self.plan.add(Node {
                op: Operator::Filter { cond },
                inputs: vec![input],
                schema: schema.clone(),
                alias: Some(alias.node.clone()),
                span,
            });
            self.aliases.insert(alias.node.clone(), (id, alias.span));
            self.last_alias = Some(alias.node.clone());
        }
        if let Some(alias) = otherwise {
            let any = conds
                .into_iter()
                .reduce(|l, r| {
                    Expr::new(
                        ExprKind::Or(Box::new(l), Box::new(r)),
                        PigType::Boolean,
                        span,
                    )
                })
                .ok_or_else(|| PlanError::plan(span, "SPLIT needs at least one IF branch"))?;
            let cond = Expr::new(ExprKind::Not(Box::new(any)), PigType::Boolean, alias.span);
            let id = self.plan.add(Node {
                op: Operator::Filter { cond },
                inputs: vec![input],
                schema,
                alias: Some(alias.node.clone()),
                span,
            });
            self.aliases.insert(alias.node.clone(), (id, alias.span));
            self.last_alias = Some(alias.node.clone());
        }
        Ok(())
    }

    fn describe(&self, path: &[Ident]) -> Result<String> {
        let first = path
            .first()
            .ok_or_else(|| PlanError::internal("empty DESCRIBE"))?;
        let id = self.alias_ref(first)?;
        let first = &self.previous(first)?;
        if path.len() == 2 {
            let key = (first.node.clone(), path[1].node.clone());
            return match self.nested_schemas.get(&key) {
                // Pig names the nested alias alone: `DESCRIBE C::D;` prints `D: {...}`.
                Some(ty) => Ok(format!("{}: {}", path[1].node, describe_type(ty))),
                None => Err(PlanError::plan(
                    path[1].span,
                    format!("no nested alias `{}` in `{}`", path[1].node, first.node),
                )),
            };
        }
        Ok(match &self.plan.node(id).schema {
            Some(s) => format!("{}: {{{s}}}", first.node),
            None => format!("Schema for {} unknown.", first.node),
        })
    }

    /// `@` as the alias it names (the one the latest statement defined); other aliases
    /// as they are.
    fn previous(&self, alias: &Ident) -> Result<Ident> {
        if alias.node != "@" {
            return Ok(alias.clone());
        }
        match &self.last_alias {
            Some(a) => Ok(Spanned::new(a.clone(), alias.span)),
            None => Err(PlanError::plan(
                alias.span,
                "`@` names the previous relation, but no relation is defined yet",
            )),
        }
    }

    fn alias_ref(&self, alias: &Ident) -> Result<NodeId> {
        let alias = &self.previous(alias)?;
        if let Some((id, _)) = self.aliases.get(&alias.node) {
            return Ok(*id);
        }
        if let Some(&failed) = self.broken.get(&alias.node) {
            return Err(follow_on(
                alias.span,
                format!(
                    "`{}` is not defined: the statement defining it failed",
                    alias.node
                ),
            )
            .with_related(
                failed,
                format!(
                    "`{}` was defined here, by a statement that failed",
                    alias.node
                ),
            )
            .with_help(format!(
                "fix the statement that defines `{}` and enter it again",
                alias.node
            )));
        }
        let mut err = PlanError::plan(alias.span, format!("Undefined alias: `{}`", alias.node))
            .with_pig_code(1000);
        if let Some(s) = did_you_mean(&alias.node, self.aliases.keys().map(String::as_str)) {
            err = err.with_help(format!("did you mean `{s}`?"));
        }
        Err(err)
    }

    fn relation(&mut self, r: &RelRef) -> Result<NodeId> {
        match r {
            RelRef::Alias(a) => self.alias_ref(a),
            RelRef::Inline(op) => self.op(&op.node, op.span, None),
        }
    }

    fn relation_name(&self, r: &RelRef, id: NodeId) -> String {
        match r {
            RelRef::Alias(a) if a.node == "@" => self.last_alias.clone().unwrap_or_default(),
            RelRef::Alias(a) => a.node.clone(),
            RelRef::Inline(_) => format!("__inline{id}"),
        }
    }

    /// `REGISTER 'path';`: loads the plugin libraries `pattern` names (a path or a glob,
    /// relative to the script's folder) and makes their functions callable by their
    /// qualified names, `namespace.Name`.
    ///
    /// A DataFu or Piggybank jar loads nothing (pigrs provides their functions built in):
    /// the first one gives a note. Any other jar is an error: pigrs cannot run Java.
    fn register(&mut self, pattern: &str, span: Span) -> Result<Vec<Action>> {
        let path = Path::new(pattern);
        if path
            .extension()
            .and_then(|e| e.to_str())
            .is_some_and(|e| e.eq_ignore_ascii_case("jar"))
        {
            return self.register_jar(path, span);
        }
        if matches!(
            path.extension().and_then(|e| e.to_str()),
            Some("py" | "js" | "rb" | "groovy")
        ) {
            return Err(
                PlanError::not_implemented(span, "REGISTER of Java or script UDFs")
                    .with_help("pigrs runs UDF plugins written in Rust: REGISTER 'libmyudfs.so';"),
            );
        }
        let Some(dir) = &self.plugin_dir else {
            return Err(PlanError::plan(
                span,
                "REGISTER cannot load plugins here (pigrs run and the shell do)",
            ));
        };
        let full = if path.is_relative() {
            dir.join(path)
        } else {
            path.to_path_buf()
        };
        let files = if pattern.contains(['*', '?', '[']) {
            let text = full.to_string_lossy();
            let matches = glob::glob(&text)
                .map_err(|e| PlanError::plan(span, format!("bad pattern '{pattern}': {e}")))?;
            let mut files: Vec<PathBuf> = matches.filter_map(|m| m.ok()).collect();
            files.sort();
            if files.is_empty() {
                return Err(
                    PlanError::plan(span, format!("no file matches '{pattern}'"))
                        .with_help("a relative path is read from the script's folder"),
                );
            }
            files
        } else {
            vec![full]
        };
        for file in files {
            let lib = pigrs_plugin_host::load(&file)
                .map_err(|e| PlanError::plan(span, e.to_string()).with_help(e.help()))?;
            let same_namespace = self
                .plugins
                .iter()
                .find(|(l, _)| l.namespace() == lib.namespace());
            match same_namespace {
                Some((l, _)) if l.sha256 == lib.sha256 => {}
                Some((l, at)) => {
                    return Err(PlanError::plan(
                        span,
                        format!(
                            "{} and {} both define the namespace `{}`",
                            l.path.display(),
                            file.display(),
                            lib.namespace()
                        ),
                    )
                    .with_related(*at, "registered here"));
                }
                None => self.plugins.push((lib, span)),
            }
        }
        Ok(vec![])
    }

    /// `REGISTER 'x.jar';`: accepted for DataFu's and Piggybank's jars, whose functions
    /// pigrs provides built in, by their class names (a note says so once); any other jar
    /// is an error, since pigrs cannot run Java.
    fn register_jar(&mut self, path: &Path, span: Span) -> Result<Vec<Action>> {
        let file = path
            .file_name()
            .map(|f| f.to_string_lossy().to_ascii_lowercase())
            .unwrap_or_default();
        if !(file.starts_with("datafu") || file.starts_with("piggybank")) {
            return Err(PlanError::plan(
                span,
                format!(
                    "pigrs cannot run Java: `{}` is not DataFu or Piggybank, whose functions pigrs provides built in",
                    path.display()
                ),
            )
            .with_help(JAVA_HELP));
        }
        if self.java_jar.replace(span).is_some() {
            return Ok(vec![]);
        }
        Ok(vec![Action::Note(format!(
            "note: REGISTER {}: pigrs loads no Java; it provides DataFu's and Piggybank's functions built in, by their class names",
            path.display()
        ))])
    }

    /// Whether `name`, which no built-in or plugin provides, names a Java class: one of
    /// DataFu's or Piggybank's packages, or any qualified name once their jar is registered
    /// (with no plugin of that namespace).
    fn is_java_class(&self, name: &str) -> bool {
        pigrs_udf::func::JAVA_LIBRARY_PACKAGES
            .iter()
            .any(|p| name.starts_with(p))
            || (self.java_jar.is_some() && name.contains('.'))
    }

    /// The plugin function `name` (`namespace.Name`) with constructor arguments; `Ok(None)`
    /// when no registered library has its namespace.
    fn plugin_func(
        &self,
        name: &str,
        ctor_args: &[String],
        span: Span,
    ) -> Result<Option<Arc<dyn pigrs_udf::func::EvalFunc>>> {
        let Some((namespace, short)) = name.rsplit_once('.') else {
            return Ok(None);
        };
        let Some((lib, at)) = self
            .plugins
            .iter()
            .find(|(l, _)| l.namespace() == namespace)
        else {
            return Ok(None);
        };
        match lib.instance(short, ctor_args) {
            Ok(Some(f)) => Ok(Some(f)),
            Ok(None) => {
                let names = lib.function_names();
                let mut err = PlanError::plan(
                    span,
                    format!(
                        "the plugin {} has no function `{short}`",
                        lib.path.display()
                    ),
                )
                .with_related(*at, "registered here");
                err = match did_you_mean(name, names.iter().map(String::as_str)) {
                    Some(c) => err.with_help(format!("did you mean `{c}`?")),
                    None => err.with_help(format!("it exports {}", names.join(", "))),
                };
                Err(err)
            }
            Err(msg) => Err(PlanError::plan(span, format!("{name}: {msg}"))),
        }
    }

    /// `func` with the instance of the plugin load (`load`) or store function it names, when
    /// its namespace is a registered library's; as it is otherwise (a built-in).
    fn with_record_func(&self, mut func: FuncRef, load: bool) -> Result<FuncRef> {
        let Some((namespace, short)) = func.name.rsplit_once('.') else {
            return Ok(func);
        };
        let Some((lib, at)) = self
            .plugins
            .iter()
            .find(|(l, _)| l.namespace() == namespace)
        else {
            return Ok(func);
        };
        match lib.record_func(short, &func.args, load) {
            Ok(Some(f)) => {
                func.plugin = Some(pigrs_udf::func::RecordFuncRef(f));
                Ok(func)
            }
            Ok(None) => {
                let names = lib.function_names();
                let mut err = PlanError::plan(
                    func.span,
                    format!(
                        "the plugin {} has no function `{short}`",
                        lib.path.display()
                    ),
                )
                .with_related(*at, "registered here");
                err = match did_you_mean(&func.name, names.iter().map(String::as_str)) {
                    Some(c) => err.with_help(format!("did you mean `{c}`?")),
                    None => err.with_help(format!("it exports {}", names.join(", "))),
                };
                Err(err)
            }
            Err(msg) => Err(PlanError::plan(func.span, msg)),
        }
    }

    /// The qualified names of every registered plugin function.
    fn plugin_names(&self) -> Vec<String> {
        self.plugins
            .iter()
            .flat_map(|(l, _)| l.function_names())
            .collect()
    }

    fn func_ref(&self, spec: Option<&a::FuncSpec>, default: &str, span: Span) -> FuncRef {
        match spec {
            Some(spec) => {
                if let Some(defined) = self.defines.get(&spec.name.node) {
                    let mut f = defined.clone();
                    f.span = spec.span;
                    return f;
                }
                FuncRef {
                    name: spec.name.node.clone(),
                    args: spec.args.iter().map(|a| a.node.clone()).collect(),
                    span: spec.span,
                    plugin: None,
                }
            }
            None => FuncRef {
                name: default.to_string(),
                args: vec![],
                span,
                plugin: None,
            },
        }
    }

    fn add(
        &mut self,
        op: Operator,
        inputs: Vec<NodeId>,
        schema: Option<Schema>,
        alias: Option<&str>,
        span: Span,
    ) -> NodeId {
        self.plan.add(Node {
            op,
            inputs,
            schema,
            alias: alias.map(str::to_string),
            span,
        })
    }

    fn op(&mut self, op: &a::Op, span: Span, alias: Option<&str>) -> Result<NodeId> {
        match op {
            a::Op::Load { path, func, schema } => {
                let location = crate::paths::resolve_location(self.cwd.as_deref(), &path.node);
                let func = self.func_ref(func.as_ref(), "PigStorage", span);
                let func = self.with_record_func(func, true)?;
                let schema = match (schema, &self.schemas, &func.plugin) {
                    (Some(s), _, _) => {
                        check_field_names(&s.fields)?;
                        Some(schema_of(s))
                    }
                    (None, _, Some(f)) => f
                        .0
                        .load_schema()
                        .map_err(|m| PlanError::plan(func.span, format!("{}: {m}", f.0.name())))?,
                    (None, Some(p), None) => p
                        .load_schema(&func.name, &func.args, &location)
                        .map_err(|m| PlanError::plan(span, m))?,
                    (None, None, None) => None,
                };
                Ok(self.add(
                    Operator::Load {
                        location,
                        func,
                        columns: None,
                        filter: None,
                    },
                    vec![],
                    schema,
                    alias,
                    span,
                ))
            }
            a::Op::Alias(r) => self.relation(r),
            a::Op::Filter { input, cond } => {
                let input = self.relation(input)?;
                let schema = self.plan.node(input).schema.clone();
                let cond = self.condition(cond, schema.as_ref())?;
                Ok(self.add(Operator::Filter { cond }, vec![input], schema, alias, span))
            }
            a::Op::Foreach {
                input,
                nested,
                generate,
            } => {
                let input_id = self.relation(input)?;
                let schema = self.plan.node(input_id).schema.clone();
                let mut slots: Vec<(String, PigType)> = Vec::new();
                let mut steps = Vec::new();
                for stmt in nested {
                    let (step, ty) = self.nested_step(&stmt.op, schema.as_ref(), &slots)?;
                    if let Some(alias) = alias {
                        self.nested_schemas
                            .insert((alias.to_string(), stmt.alias.node.clone()), ty.clone());
                    }
                    slots.push((stmt.alias.node.clone(), ty));
                    steps.push(step);
                }
                let scope = Scope {
                    schema: schema.as_ref(),
                    slots: &slots,
                };
                let (items, out_schema) = self.generate(generate, &scope)?;
                Ok(self.add(
                    Operator::Foreach {
                        nested: steps,
                        generate: items,
                    },
                    vec![input_id],
                    out_schema,
                    alias,
                    span,
                ))
            }
            a::Op::Group {
                inputs, parallel, ..
            } => self.group(inputs, parallel.as_ref().map(|p| p.node), span, alias),
            a::Op::Join {
                inputs,
                kind,
                using,
                parallel,
                ..
            } => self.join(
                inputs,
                *kind,
                using.as_ref(),
                parallel.as_ref().map(|p| p.node),
                span,
                alias,
            ),
            a::Op::Cross {
                inputs, parallel, ..
            } => {
                let mut ids = Vec::new();
                let mut names = Vec::new();
                for r in inputs {
                    let id = self.relation(r)?;
                    names.push(self.relation_name(r, id));
                    ids.push(id);
                }
                let schema = self.prefixed_concat(&ids, &names);
                Ok(self.add(
                    Operator::Cross {
                        parallel: parallel.as_ref().map(|p| p.node),
                    },
                    ids,
                    schema,
                    alias,
                    span,
                ))
            }
            a::Op::Union {
                onschema, inputs, ..
            } => {
                let ids = inputs
                    .iter()
                    .map(|r| self.relation(r))
                    .collect::<Result<Vec<_>>>()?;
                if *onschema {
                    return self.union_onschema(inputs, &ids, span, alias);
                }
                let schema = self.union_schema(&ids);
                Ok(self.add(Operator::Union, ids, schema, alias, span))
            }
            a::Op::Order {
                input,
                keys,
                using,
                parallel,
            } => {
                if let Some(u) = using {
                    return Err(PlanError::not_implemented(
                        u.span,
                        "ORDER ... USING a comparator",
                    ));
                }
                let input = self.relation(input)?;
                let schema = self.plan.node(input).schema.clone();
                let scope = Scope {
                    schema: schema.as_ref(),
                    slots: &[],
                };
                let keys = self.sort_keys(keys, &scope)?;
                Ok(self.add(
                    Operator::Order {
                        keys,
                        parallel: parallel.as_ref().map(|p| p.node),
                    },
                    vec![input],
                    schema,
                    alias,
                    span,
                ))
            }
            a::Op::Limit { input, count } => {
                let input = self.relation(input)?;
                let schema = self.plan.node(input).schema.clone();
                let n = self.limit_count(count, schema.as_ref())?;
                Ok(self.add(Operator::Limit { n }, vec![input], schema, alias, span))
            }
            a::Op::Distinct {
                input, parallel, ..
            } => {
                let input = self.relation(input)?;
                let schema = self.plan.node(input).schema.clone();
                Ok(self.add(
                    Operator::Distinct {
                        parallel: parallel.as_ref().map(|p| p.node),
                    },
                    vec![input],
                    schema,
                    alias,
                    span,
                ))
            }
            a::Op::Sample { input, fraction } => {
                let input = self.relation(input)?;
                let schema = self.plan.node(input).schema.clone();
                let fraction = self.sample_fraction(fraction, schema.as_ref())?;
                Ok(self.add(
                    Operator::Sample { fraction },
                    vec![input],
                    schema,
                    alias,
                    span,
                ))
            }
            a::Op::Rank { input, keys, dense } => {
                let id = self.relation(input)?;
                let name = self.relation_name(input, id);
                let schema = self.plan.node(id).schema.clone();
                let scope = Scope {
                    schema: schema.as_ref(),
                    slots: &[],
                };
                let keys = self.sort_keys(keys, &scope)?;
                let schema = schema.map(|s| {
                    let mut fields = vec![Field::new(format!("rank_{name}"), PigType::Long)];
                    fields.extend(s.fields);
                    Schema::new(fields)
                });
                Ok(self.add(
                    Operator::Rank {
                        keys,
                        dense: *dense,
                    },
                    vec![id],
                    schema,
                    alias,
                    span,
                ))
            }
            a::Op::Cube { input, specs } => self.cube(input, specs, span, alias),
            a::Op::Assert {
                input,
                cond,
                message,
            } => {
                let id = self.relation(input)?;
                let schema = self.plan.node(id).schema.clone();
                let check = self.condition(cond, schema.as_ref())?;
                let mut args = vec![check];
                if let Some(m) = message {
                    args.push(Expr::new(
                        ExprKind::Const(Value::Chararray(m.node.clone())),
                        PigType::Chararray,
                        m.span,
                    ));
                }
                let func = Func::builtin("Assert")
                    .ok_or_else(|| PlanError::internal("the Assert function is missing"))?;
                let cond = Expr::new(ExprKind::Call { func, args }, PigType::Boolean, cond.span);
                Ok(self.add(Operator::Filter { cond }, vec![id], schema, alias, span))
            }
            a::Op::Stream {
                input,
                command,
                schema,
            } => {
                if let Some(s) = schema {
                    check_field_names(&s.fields)?;
                }
                let id = self.relation(input)?;
                let (command, spec) = match command {
                    a::StreamThrough::Inline(c) => (c.node.clone(), StreamSpec::default()),
                    a::StreamThrough::Defined(name) => match self.commands.get(&name.node) {
                        Some(c) => (c.command.node.clone(), self.stream_spec(c)),
                        None => {
                            let mut err = PlanError::plan(
                                name.span,
                                format!("undefined streaming command `{}`", name.node),
                            )
                            .with_help("define it first: DEFINE name `command`;");
                            if let Some(c) =
                                did_you_mean(&name.node, self.commands.keys().map(String::as_str))
                            {
                                err = err.with_help(format!("did you mean `{c}`?"));
                            }
                            return Err(err);
                        }
                    },
                };
                if command.trim().is_empty() {
                    return Err(PlanError::plan(span, "the streaming command is empty"));
                }
                let schema = schema.as_ref().map(schema_of);
                Ok(self.add(
                    Operator::Stream { command, spec },
                    vec![id],
                    schema,
                    alias,
                    span,
                ))
            }
        }
    }

    /// The options of a DEFINEd streaming command (checked by [`check_stream_command`]).
    fn stream_spec(&self, c: &a::StreamCommand) -> StreamSpec {
        let handle = |specs: &[(Spanned<String>, Option<a::FuncSpec>)], std: &str| {
            let Some((target, func)) = specs.first() else {
                return StreamHandle::default();
            };
            StreamHandle {
                file: (target.node != std).then(|| target.node.clone()),
                delimiter: func.as_ref().and_then(|f| f.args.first().cloned()),
            }
        };
        StreamSpec {
            input: handle(&c.input, "stdin"),
            output: handle(&c.output, "stdout"),
            ship: c.ship.clone(),
            cache: c
                .cache
                .iter()
                .map(|p| Spanned::new(crate::paths::resolve(self.cwd.as_deref(), &p.node), p.span))
                .collect(),
        }
    }

    /// `UNION ONSCHEMA`: every input's fields matched by name into one schema (types
    /// widened; a field an input lacks is null there). Each input whose schema differs is
    /// first projected onto the merged schema.
    fn union_onschema(
        &mut self,
        refs: &[RelRef],
        ids: &[NodeId],
        span: Span,
        alias: Option<&str>,
    ) -> Result<NodeId> {
        let mut merged: Vec<Field> = Vec::new();
        for (r, &id) in refs.iter().zip(ids) {
            let name = self.relation_name(r, id);
            let Some(schema) = self.plan.node(id).schema.as_ref() else {
                return Err(PlanError::plan(
                    r.span(),
                    format!(
                        "Schema of relation {name} is null. UNION ONSCHEMA cannot be used with relations that have null schema."
                    ),
                )
                .with_help("declare a schema with AS (...), or use UNION without ONSCHEMA"));
            };
            for (i, f) in schema.fields.iter().enumerate() {
                let Some(fname) = &f.name else {
                    return Err(PlanError::plan(
                        r.span(),
                        format!(
                            "field ${i} of {name} has no name; UNION ONSCHEMA matches fields by name"
                        ),
                    ));
                };
                match merged.iter_mut().find(|m| m.name.as_deref() == Some(fname)) {
                    Some(m) => {
                        if m.ty != f.ty {
                            m.ty = common(&m.ty, &f.ty).ok_or_else(|| {
                                PlanError::plan(
                                    r.span(),
                                    format!(
                                        "cannot merge the schemas: field `{fname}` is a {} in one input and a {} in {name}",
                                        m.ty, f.ty
                                    ),
                                )
                            })?;
                        }
                    }
                    None => merged.push(f.clone()),
                }
            }
        }
        let merged = Schema::new(merged);
        let mut inputs = Vec::new();
        for (r, &id) in refs.iter().zip(ids) {
            let schema = self.plan.node(id).schema.clone().unwrap_or_default();
            if schema == merged {
                inputs.push(id);
                continue;
            }
            let generate = merged
                .fields
                .iter()
                .map(|f| {
                    let name = f.name.as_deref().unwrap_or_default();
                    let expr = match schema.index_of(name) {
                        Some(i) => {
                            Expr::new(ExprKind::Column(i), schema.fields[i].ty.clone(), r.span())
                                .cast_to(&f.ty)
                        }
                        None => Expr::new(ExprKind::Const(Value::Null), f.ty.clone(), r.span()),
                    };
                    GenItem {
                        expr,
                        flatten: false,
                        width: Some(1),
                    }
                })
                .collect();
            inputs.push(self.add(
                Operator::Foreach {
                    nested: vec![],
                    generate,
                },
                vec![id],
                Some(merged.clone()),
                None,
                r.span(),
            ));
        }
        Ok(self.add(Operator::Union, inputs, Some(merged), alias, span))
    }

    /// `CUBE input BY CUBE(..), ROLLUP(..)`, planned as Pig does: a FOREACH expanding each
    /// row into its grouping combinations, a GROUP on them, and a FOREACH giving
    /// `(group: (dims...), cube: {input rows})`.
    fn cube(
        &mut self,
        input: &RelRef,
        specs: &[a::CubeSpec],
        span: Span,
        alias: Option<&str>,
    ) -> Result<NodeId> {
        let id = self.relation(input)?;
        let schema = self.plan.node(id).schema.clone();
        let Some(width) = schema.as_ref().map(|s| s.fields.len()) else {
            return Err(
                PlanError::plan(span, "CUBE needs its input's schema to be known")
                    .with_help("declare a schema with AS (...) in the LOAD"),
            );
        };
        let scope = Scope {
            schema: schema.as_ref(),
            slots: &[],
        };
        let mut dims = Vec::new();
        let mut dim_fields = Vec::new();
        let mut clauses = Vec::new();
        for spec in specs {
            if spec.dims.is_empty() {
                return Err(PlanError::plan(
                    spec.span,
                    "CUBE and ROLLUP need at least one dimension",
                ));
            }
            for d in &spec.dims {
                let e = self.expr(d, &scope)?;
                if matches!(e.ty, PigType::Bag(_) | PigType::Map(_) | PigType::Tuple(_)) {
                    return Err(PlanError::plan(
                        d.span,
                        format!("a CUBE dimension must be a simple value, not a {}", e.ty),
                    ));
                }
                let name = expr_name(&e, &scope);
                if let Some(n) = &name
                    && dim_fields
                        .iter()
                        .any(|f: &Field| f.name.as_deref() == Some(n))
                {
                    return Err(PlanError::plan(
                        d.span,
                        format!("dimension `{n}` is used twice"),
                    ));
                }
                dim_fields.push(Field {
                    name,
                    ty: e.ty.clone(),
                });
                dims.push(e);
            }
            clauses.push((spec.rollup, spec.dims.len()));
        }
        let dims_ty = PigType::Tuple(Some(Schema::new(dim_fields)));
        let func = Func::make(FuncSpec::CubeDimensions { clauses })
            .map_err(|m| PlanError::internal(format!("CUBE: {m}")))?;
        let expand = Expr::new(
            ExprKind::Call { func, args: dims },
            PigType::Bag(Some(Schema::new(vec![Field::unnamed(dims_ty.clone())]))),
            span,
        );
        // FOREACH input GENERATE FLATTEN(CubeDimensions(dims)) AS dims, *;
        let mut generate = vec![GenItem {
            expr: expand,
            flatten: true,
            width: Some(1),
        }];
        generate.push(GenItem {
            expr: Expr::new(ExprKind::WholeRow, PigType::Tuple(schema.clone()), span),
            flatten: true,
            width: Some(width),
        });
        let expanded_schema = schema.as_ref().map(|s| {
            let mut fields = vec![Field::new("dimensions", dims_ty.clone())];
            fields.extend(s.fields.iter().cloned());
            Schema::new(fields)
        });
        let expanded = self.add(
            Operator::Foreach {
                nested: vec![],
                generate,
            },
            vec![id],
            expanded_schema.clone(),
            None,
            span,
        );
        let grouped = self.add(
            Operator::Group {
                keys: vec![GroupKeys::Exprs(vec![Expr::new(
                    ExprKind::Column(0),
                    dims_ty.clone(),
                    span,
                )])],
                inner: vec![false],
                parallel: None,
            },
            vec![expanded],
            Some(Schema::new(vec![
                Field::new("group", dims_ty.clone()),
                Field::new("cube", PigType::Bag(expanded_schema.clone())),
            ])),
            None,
            span,
        );
        // FOREACH grouped GENERATE group, cube.(input fields) AS cube;
        let cube_expr = Expr::new(
            ExprKind::BagProject {
                expr: Box::new(Expr::new(
                    ExprKind::Column(1),
                    PigType::Bag(expanded_schema),
                    span,
                )),
                indices: (1..=width).collect(),
            },
            PigType::Bag(schema.clone()),
            span,
        );
        let generate = vec![
            GenItem {
                expr: Expr::new(ExprKind::Column(0), dims_ty.clone(), span),
                flatten: false,
                width: Some(1),
            },
            GenItem {
                expr: cube_expr,
                flatten: false,
                width: Some(1),
            },
        ];
        let out_schema = Schema::new(vec![
            Field::new("group", dims_ty),
            Field::new("cube", PigType::Bag(schema)),
        ]);
        Ok(self.add(
            Operator::Foreach {
                nested: vec![],
                generate,
            },
            vec![grouped],
            Some(out_schema),
            alias,
            span,
        ))
    }

    fn group(
        &mut self,
        inputs: &[a::GroupInput],
        parallel: Option<u32>,
        span: Span,
        alias: Option<&str>,
    ) -> Result<NodeId> {
        let mut ids = Vec::new();
        let mut keys = Vec::new();
        let mut inner = Vec::new();
        let mut bag_fields = Vec::new();
        // The names of the first input's keys name the fields of a tuple `group`.
        let mut key_names: Option<Vec<Option<String>>> = None;
        for gi in inputs {
            let id = self.relation(&gi.input)?;
            let name = self.relation_name(&gi.input, id);
            let schema = self.plan.node(id).schema.clone();
            let scope = Scope {
                schema: schema.as_ref(),
                slots: &[],
            };
            keys.push(match &gi.key {
                a::GroupKey::All(_) => GroupKeys::All,
                a::GroupKey::Exprs(es) => {
                    let (exprs, names) = self.key_exprs(es, &scope)?.into_iter().unzip();
                    if key_names.is_none() {
                        key_names = Some(names);
                    }
                    GroupKeys::Exprs(exprs)
                }
            });
            inner.push(gi.inner);
            bag_fields.push(Field::new(name, PigType::Bag(schema)));
            ids.push(id);
        }
        let group_field = self.unify_keys(&mut keys, &key_names.unwrap_or_default(), span)?;
        let mut fields = vec![group_field];
        fields.extend(bag_fields);
        Ok(self.add(
            Operator::Group {
                keys,
                inner,
                parallel,
            },
            ids,
            Some(Schema::new(fields)),
            alias,
            span,
        ))
    }

    /// Casts every input's keys to common types; returns the `group` field.
    fn unify_keys(
        &self,
        keys: &mut [GroupKeys],
        key_names: &[Option<String>],
        span: Span,
    ) -> Result<Field> {
        let exprs: Vec<&Vec<Expr>> = keys
            .iter()
            .filter_map(|k| match k {
                GroupKeys::Exprs(es) => Some(es),
                GroupKeys::All => None,
            })
            .collect();
        if exprs.is_empty() {
            return Ok(Field::new("group", PigType::Chararray));
        }
        if exprs.len() != keys.len() {
            return Err(PlanError::plan(span, "COGROUP cannot mix ALL with keys"));
        }
        let width = exprs[0].len();
        if exprs.iter().any(|es| es.len() != width) {
            return Err(PlanError::plan(
                span,
                "every input of COGROUP must have the same number of keys",
            ));
        }
        let mut types = Vec::new();
        let mut names = Vec::new();
        for i in 0..width {
            let mut ty = exprs[0][i].ty.clone();
            for es in &exprs[1..] {
                ty = common(&ty, &es[i].ty).ok_or_else(|| {
                    PlanError::plan(
                        es[i].span,
                        format!(
                            "group keys of types {} and {} cannot be matched",
                            ty, es[i].ty
                        ),
                    )
                })?;
            }
            names.push(key_names.get(i).cloned().flatten());
            types.push(ty);
        }
        for k in keys.iter_mut() {
            if let GroupKeys::Exprs(es) = k {
                for (e, ty) in es.iter_mut().zip(&types) {
                    *e = e.clone().cast_to(ty);
                }
            }
        }
        Ok(if width == 1 {
            Field::new("group", types.remove(0))
        } else {
            let fields = names
                .into_iter()
                .zip(types)
                .map(|(n, t)| Field { name: n, ty: t })
                .collect();
            Field::new("group", PigType::Tuple(Some(Schema::new(fields))))
        })
    }

    fn join(
        &mut self,
        inputs: &[a::JoinInput],
        kind: a::JoinKind,
        using: Option<&Spanned<String>>,
        parallel: Option<u32>,
        span: Span,
        alias: Option<&str>,
    ) -> Result<NodeId> {
        let strategy = match using.map(|u| u.node.to_lowercase()) {
            None => JoinStrategy::Hash,
            Some(s) if s == "replicated" || s == "repl" => JoinStrategy::Replicated,
            // Skewed and merge joins give the same rows as a hash join; pigrs picks its own strategy.
            Some(s)
                if s == "skewed"
                    || s == "merge"
                    || s == "merge-sparse"
                    || s == "hash"
                    || s == "default" =>
            {
                JoinStrategy::Hash
            }
            Some(s) => {
                return Err(PlanError::plan(
                    using.map_or(span, |u| u.span),
                    format!("unknown join strategy '{s}'"),
                )
                .with_help("use 'replicated', 'skewed' or 'merge'"));
            }
        };
        let join_type = match kind {
            a::JoinKind::Inner => JoinType::Inner,
            a::JoinKind::Left => JoinType::Left,
            a::JoinKind::Right => JoinType::Right,
            a::JoinKind::Full => JoinType::Full,
        };
        if join_type != JoinType::Inner && inputs.len() != 2 {
            return Err(PlanError::plan(span, "outer joins take exactly two inputs"));
        }
        if strategy == JoinStrategy::Replicated
            && matches!(join_type, JoinType::Right | JoinType::Full)
        {
            return Err(PlanError::plan(
                span,
                "a replicated join supports only inner and LEFT OUTER joins",
            ));
        }
        let mut ids = Vec::new();
        let mut names = Vec::new();
        let mut keys = Vec::new();
        for ji in inputs {
            let id = self.relation(&ji.input)?;
            names.push(self.relation_name(&ji.input, id));
            let schema = self.plan.node(id).schema.clone();
            let scope = Scope {
                schema: schema.as_ref(),
                slots: &[],
            };
            keys.push(
                self.key_exprs(&ji.keys, &scope)?
                    .into_iter()
                    .map(|(e, _)| e)
                    .collect::<Vec<_>>(),
            );
            ids.push(id);
        }
        let width = keys[0].len();
        if keys.iter().any(|k| k.len() != width) {
            return Err(PlanError::plan(
                span,
                "every input of JOIN must have the same number of keys",
            ));
        }
        for i in 0..width {
            let mut ty = keys[0][i].ty.clone();
            for k in &keys[1..] {
                ty = common(&ty, &k[i].ty).ok_or_else(|| {
                    PlanError::plan(
                        k[i].span,
                        format!(
                            "join keys of types {} and {} cannot be matched",
                            ty, k[i].ty
                        ),
                    )
                })?;
            }
            for k in keys.iter_mut() {
                k[i] = k[i].clone().cast_to(&ty);
            }
        }
        let schema = self.prefixed_concat(&ids, &names);
        Ok(self.add(
            Operator::Join {
                keys,
                join_type,
                strategy,
                parallel,
            },
            ids,
            schema,
            alias,
            span,
        ))
    }

    /// The schema of JOIN and CROSS: every input's fields, named `input::field`.
    fn prefixed_concat(&self, ids: &[NodeId], names: &[String]) -> Option<Schema> {
        let mut fields = Vec::new();
        for (id, name) in ids.iter().zip(names) {
            let schema = self.plan.node(*id).schema.as_ref()?;
            for f in &schema.fields {
                fields.push(Field {
                    name: f.name.as_ref().map(|n| format!("{name}::{n}")),
                    ty: f.ty.clone(),
                });
            }
        }
        Some(Schema::new(fields))
    }

    fn union_schema(&self, ids: &[NodeId]) -> Option<Schema> {
        let first = self.plan.node(ids[0]).schema.clone()?;
        let mut fields = first.fields;
        for id in &ids[1..] {
            let other = self.plan.node(*id).schema.as_ref()?;
            if other.fields.len() != fields.len() {
                return None;
            }
            for (f, o) in fields.iter_mut().zip(&other.fields) {
                f.ty = if f.ty == o.ty {
                    f.ty.clone()
                } else {
                    common(&f.ty, &o.ty).unwrap_or(PigType::Bytearray)
                };
            }
        }
        Some(Schema::new(fields))
    }

    fn nested_step(
        &mut self,
        op: &a::NestedOp,
        outer: Option<&Schema>,
        slots: &[(String, PigType)],
    ) -> Result<(NestedStep, PigType)> {
        let scope = Scope {
            schema: outer,
            slots,
        };
        let bag_input = |this: &mut Self, e: &a::Expr| -> Result<(Expr, Option<Schema>)> {
            let input = this.expr(e, &scope)?;
            match &input.ty {
                PigType::Bag(s) => {
                    let s = s.clone();
                    Ok((input, s))
                }
                other => Err(PlanError::plan(
                    e.span,
                    format!("nested operators work on bags, but this is a {other}"),
                )),
            }
        };
        Ok(match op {
            a::NestedOp::Expr(e) => {
                let e = self.expr(e, &scope)?;
                let ty = e.ty.clone();
                (NestedStep::Expr(e), ty)
            }
            a::NestedOp::Filter { input, cond } => {
                let (input, inner) = bag_input(self, input)?;
                let cond = self.condition(cond, inner.as_ref())?;
                let ty = input.ty.clone();
                (NestedStep::Filter { input, cond }, ty)
            }
            a::NestedOp::Order { input, keys } => {
                let (input, inner) = bag_input(self, input)?;
                let inner_scope = Scope {
                    schema: inner.as_ref(),
                    slots: &[],
                };
                let keys = self.sort_keys(keys, &inner_scope)?;
                let ty = input.ty.clone();
                (NestedStep::Order { input, keys }, ty)
            }
            a::NestedOp::Limit { input, count } => {
                let (input, _) = bag_input(self, input)?;
                let n = const_count(count)?;
                let ty = input.ty.clone();
                (NestedStep::Limit { input, n }, ty)
            }
            a::NestedOp::Distinct { input } => {
                let (input, _) = bag_input(self, input)?;
                let ty = input.ty.clone();
                (NestedStep::Distinct { input }, ty)
            }
            a::NestedOp::Sample { input, fraction } => {
                let (input, _) = bag_input(self, input)?;
                let fraction = const_fraction(fraction)?;
                let ty = input.ty.clone();
                (NestedStep::Sample { input, fraction }, ty)
            }
            a::NestedOp::Cross { inputs } => {
                let mut exprs = Vec::new();
                let mut fields = Some(Vec::new());
                for e in inputs {
                    let name = expr_name_ast(e);
                    let (input, inner) = bag_input(self, e)?;
                    match (inner, fields.as_mut()) {
                        (Some(s), Some(fs)) => fs.extend(s.fields.into_iter().map(|f| Field {
                            name: f.name.map(|n| match &name {
                                Some(p) => format!("{p}::{n}"),
                                None => n,
                            }),
                            ty: f.ty,
                        })),
                        _ => fields = None,
                    }
                    exprs.push(input);
                }
                (
                    NestedStep::Cross { inputs: exprs },
                    PigType::Bag(fields.map(Schema::new)),
                )
            }
            a::NestedOp::Foreach { input, generate } => {
                let (input, inner) = bag_input(self, input)?;
                let inner_scope = Scope {
                    schema: inner.as_ref(),
                    slots: &[],
                };
                let (items, schema) = self.generate(generate, &inner_scope)?;
                (
                    NestedStep::Foreach {
                        input,
                        generate: items,
                    },
                    PigType::Bag(schema),
                )
            }
        })
    }

    /// LIMIT's count: a non-negative integer, or a scalar expression (`LIMIT A C.n / 10`),
    /// which Pig evaluates once, as a long.
    fn limit_count(&self, e: &a::Expr, input: Option<&Schema>) -> Result<Amount<u64>> {
        if matches!(e.node, a::ExprKind::Literal(_)) {
            return const_count(e).map(Amount::Const);
        }
        let x = self.scalar_amount(e, input, "LIMIT's count")?;
        match x.ty {
            PigType::Int | PigType::Long | PigType::Bytearray => {
                Ok(Amount::Scalar(x.cast_to(&PigType::Long)))
            }
            ref other => Err(PlanError::plan(
                e.span,
                format!("LIMIT's count must be an int or a long, not a {other}"),
            )),
        }
    }

    /// SAMPLE's fraction: a number between 0 and 1, or a scalar expression evaluated
    /// once, as a double.
    fn sample_fraction(&self, e: &a::Expr, input: Option<&Schema>) -> Result<Amount<f64>> {
        if matches!(e.node, a::ExprKind::Literal(_)) {
            return const_fraction(e).map(Amount::Const);
        }
        let x = self.scalar_amount(e, input, "SAMPLE's fraction")?;
        if x.ty.is_numeric() || x.ty == PigType::Bytearray {
            Ok(Amount::Scalar(x.cast_to(&PigType::Double)))
        } else {
            Err(PlanError::plan(
                e.span,
                format!("SAMPLE's fraction must be a number, not a {}", x.ty),
            ))
        }
    }

    /// An expression of constants and relations used as scalars (no field of the input,
    /// whose schema is `input`).
    fn scalar_amount(&self, e: &a::Expr, input: Option<&Schema>, what: &str) -> Result<Expr> {
        let scope = Scope {
            schema: input,
            slots: &[],
        };
        let x = self.expr(e, &scope)?;
        let mut row = None;
        x.visit(&mut |y| {
            if matches!(
                y.kind,
                ExprKind::Column(_) | ExprKind::WholeRow | ExprKind::Slot(_) | ExprKind::Outer(_)
            ) {
                row.get_or_insert(y.span);
            }
        });
        if let Some(at) = row {
            return Err(PlanError::plan(
                at,
                format!("{what} cannot use a field of the input: it is computed once"),
            )
            .with_help("use constants and relations as scalars, like `C.n / 10`"));
        }
        Ok(x)
    }

    /// GROUP/COGROUP/JOIN keys with their names; a project-range (`b .. c`) gives one key
    /// per field, as in Pig.
    fn key_exprs(&self, es: &[a::Expr], scope: &Scope<'_>) -> Result<Vec<(Expr, Option<String>)>> {
        let mut out = Vec::new();
        for e in es {
            if let a::ExprKind::Range { from, to } = &e.node {
                if to.is_none() && scope.schema.is_none() {
                    return Err(PlanError::plan(
                        e.span,
                        "a key range to the end (`x ..`) needs a known schema",
                    ));
                }
                for i in self.range(from.as_ref(), to.as_ref(), scope, e.span)? {
                    let field = scope.schema.and_then(|s| s.fields.get(i));
                    let ty = field.map_or(PigType::Bytearray, |f| f.ty.clone());
                    let name = field
                        .and_then(|f| f.name.as_ref())
                        .map(|n| n.rsplit("::").next().unwrap_or(n).to_string());
                    out.push((Expr::new(ExprKind::Column(i), ty, e.span), name));
                }
                continue;
            }
            out.push((self.expr(e, scope)?, expr_name_ast(e)));
        }
        Ok(out)
    }

    fn sort_keys(&self, keys: &[a::OrderKey], scope: &Scope<'_>) -> Result<Vec<SortKey>> {
        let mut out = Vec::new();
        for k in keys {
            if let a::ExprKind::Range { from, to: None } = &k.expr.node
                && scope.schema.is_none()
            {
                // With no schema, `$k ..` is the rest of each row, compared as a tuple;
                // Pig allows it as the last sort key only.
                if !std::ptr::eq(k, keys.last().unwrap_or(k)) {
                    return Err(PlanError::plan(
                        k.expr.span,
                        "a range to the end (`x ..`) of a relation with no schema can only be the last ORDER BY key",
                    ));
                }
                let start = match from {
                    Some(f) => self.field_index(f, scope)?,
                    None => 0,
                };
                let row = Expr::new(ExprKind::WholeRow, PigType::Tuple(None), k.expr.span);
                out.push(SortKey {
                    expr: Expr::new(
                        ExprKind::Call {
                            func: Func::new(FuncSpec::RowFrom(start), Arc::new(RowFrom(start))),
                            args: vec![row],
                        },
                        PigType::Tuple(None),
                        k.expr.span,
                    ),
                    desc: k.desc,
                });
                continue;
            }
            // Field `i` of the input as a key.
            let column = |i: usize| {
                let ty = scope
                    .schema
                    .map(|s| s.fields[i].ty.clone())
                    .unwrap_or(PigType::Bytearray);
                SortKey {
                    expr: Expr::new(ExprKind::Column(i), ty, k.expr.span),
                    desc: k.desc,
                }
            };
            if let a::ExprKind::Range { from, to } = &k.expr.node {
                for i in self.range(from.as_ref(), to.as_ref(), scope, k.expr.span)? {
                    out.push(column(i));
                }
                continue;
            }
            if matches!(k.expr.node, a::ExprKind::Star) {
                let Some(width) = scope.schema.map(|s| s.fields.len()) else {
                    // With no schema the rows are compared whole, as Pig compares tuples.
                    out.push(SortKey {
                        expr: Expr::new(ExprKind::WholeRow, PigType::Tuple(None), k.expr.span),
                        desc: k.desc,
                    });
                    continue;
                };
                out.extend((0..width).map(column));
                continue;
            }
            let expr = self.expr(&k.expr, scope)?;
            if matches!(expr.ty, PigType::Bag(_) | PigType::Map(_)) {
                return Err(PlanError::plan(
                    k.expr.span,
                    format!("cannot order by a {}", expr.ty.name()),
                ));
            }
            out.push(SortKey { expr, desc: k.desc });
        }
        Ok(out)
    }

    /// A FILTER-style condition: must be boolean (an untyped value is cast).
    fn condition(&self, cond: &a::Expr, schema: Option<&Schema>) -> Result<Expr> {
        let scope = Scope { schema, slots: &[] };
        let e = self.expr(cond, &scope)?;
        boolean(e, cond.span)
    }

    /// The GENERATE list: its items and the output schema.
    fn generate(
        &self,
        items: &[a::GenerateItem],
        scope: &Scope<'_>,
    ) -> Result<(Vec<GenItem>, Option<Schema>)> {
        let mut out = Vec::new();
        let mut fields: Option<Vec<Field>> = Some(Vec::new());
        for item in items {
            let mut produced: Vec<(GenItem, Option<Vec<Field>>)> = Vec::new();
            match &item.expr.node {
                a::ExprKind::Star => {
                    let e = Expr::new(
                        ExprKind::WholeRow,
                        PigType::Tuple(scope.schema.cloned()),
                        item.expr.span,
                    );
                    let fs = scope.schema.map(|s| s.fields.clone());
                    let width = fs.as_ref().map(Vec::len);
                    produced.push((
                        GenItem {
                            expr: e,
                            flatten: true,
                            width,
                        },
                        fs,
                    ));
                }
                a::ExprKind::Range { from, to } => {
                    for i in self.range(from.as_ref(), to.as_ref(), scope, item.expr.span)? {
                        let f = scope
                            .schema
                            .map(|s| s.fields[i].clone())
                            .unwrap_or(Field::unnamed(PigType::Bytearray));
                        let e = Expr::new(ExprKind::Column(i), f.ty.clone(), item.expr.span);
                        produced.push((
                            GenItem {
                                expr: e,
                                flatten: false,
                                width: Some(1),
                            },
                            Some(vec![f]),
                        ));
                    }
                }
                a::ExprKind::Flatten(inner) => {
                    let e = self.expr(inner, scope)?;
                    // A projected bag (`B.x`) flattens to its fields' own names.
                    let prefix = match e.kind {
                        ExprKind::BagProject { .. } => None,
                        _ => expr_name(&e, scope),
                    };
                    let fs: Option<Vec<Field>> = match &e.ty {
                        PigType::Bag(s) | PigType::Tuple(s) => s.as_ref().map(|s| {
                            s.fields
                                .iter()
                                .map(|f| Field {
                                    name: match (&prefix, &f.name) {
                                        (Some(p), Some(n)) => Some(format!("{p}::{n}")),
                                        (None, n) => n.clone(),
                                        (_, None) => None,
                                    },
                                    ty: f.ty.clone(),
                                })
                                .collect()
                        }),
                        // One row per entry: `m::key` and `m::value` (Pig's LOGenerate);
                        // an untyped map's values have no schema, nor then the output.
                        PigType::Map(Some(value)) => {
                            let name = |part: &str| match &prefix {
                                Some(p) => format!("{p}::{part}"),
                                None => part.to_string(),
                            };
                            Some(vec![
                                Field::new(name("key"), PigType::Chararray),
                                Field::new(name("value"), (**value).clone()),
                            ])
                        }
                        PigType::Map(None) => None,
                        other => Some(vec![Field {
                            name: prefix.clone(),
                            ty: other.clone(),
                        }]),
                    };
                    let width = fs.as_ref().map(Vec::len);
                    produced.push((
                        GenItem {
                            expr: e,
                            flatten: true,
                            width,
                        },
                        fs,
                    ));
                }
                _ => {
                    let e = self.expr(&item.expr, scope)?;
                    let f = Field {
                        name: self.item_name(&e, scope),
                        ty: e.ty.clone(),
                    };
                    produced.push((
                        GenItem {
                            expr: e,
                            flatten: false,
                            width: Some(1),
                        },
                        Some(vec![f]),
                    ));
                }
            }
            if let Some(alias) = &item.alias {
                check_field_names(alias)?;
                let total: Option<usize> =
                    produced.iter().map(|(_, f)| f.as_ref().map(Vec::len)).sum();
                if let Some(total) = total
                    && total != alias.len()
                    && !(alias.len() == 1 && produced.len() == 1 && !produced[0].0.flatten)
                {
                    return Err(PlanError::plan(
                        item.span,
                        format!(
                            "AS names {} fields but the expression gives {total}",
                            alias.len()
                        ),
                    ));
                }
                // Rename (and retype, where the AS clause gives types) the produced fields.
                let mut names = alias.iter();
                let mut renamed = Vec::new();
                for (g, fs) in produced.iter_mut() {
                    let count = fs.as_ref().map(Vec::len).unwrap_or(alias.len());
                    let mut new_fields = Vec::new();
                    for i in 0..count {
                        let Some(decl) = names.next() else { break };
                        let old = fs
                            .as_ref()
                            .map(|f| f[i].ty.clone())
                            .unwrap_or(PigType::Bytearray);
                        let ty = decl.ty.as_ref().map(type_of).unwrap_or(old.clone());
                        if ty != old && !g.flatten {
                            if !castable(&old, &ty) {
                                return Err(PlanError::plan(
                                    decl.span,
                                    format!("cannot cast {old} to {ty}"),
                                ));
                            }
                            g.expr = g.expr.clone().cast_to(&ty);
                        }
                        new_fields.push(Field {
                            name: decl.name.as_ref().map(|n| n.node.clone()),
                            ty,
                        });
                    }
                    if g.flatten && g.width.is_none() {
                        g.width = Some(new_fields.len());
                    }
                    renamed.push(Some(new_fields));
                }
                for ((_, fs), new) in produced.iter_mut().zip(renamed) {
                    *fs = new;
                }
            }
            for (g, fs) in produced {
                match (fs, fields.as_mut()) {
                    (Some(fs), Some(all)) => all.extend(fs),
                    _ => fields = None,
                }
                out.push(g);
            }
        }
        if let Some(fs) = &fields {
            check_duplicates(fs, items.first().map_or(Span::default(), |i| i.span))?;
        }
        Ok((out, fields.map(Schema::new)))
    }

    fn range(
        &self,
        from: Option<&FieldRef>,
        to: Option<&FieldRef>,
        scope: &Scope<'_>,
        span: Span,
    ) -> Result<Vec<usize>> {
        let start = match from {
            Some(f) => self.field_index(f, scope)?,
            None => 0,
        };
        let end = match to {
            Some(f) => self.field_index(f, scope)?,
            None => match scope.schema {
                Some(s) if !s.fields.is_empty() => s.fields.len() - 1,
                _ => {
                    return Err(PlanError::plan(
                        span,
                        "an open range `x ..` needs a known schema",
                    ));
                }
            },
        };
        if end < start {
            return Err(PlanError::plan(
                span,
                "the range's end comes before its start",
            ));
        }
        Ok((start..=end).collect())
    }

    fn field_index(&self, f: &FieldRef, scope: &Scope<'_>) -> Result<usize> {
        let e = self.field(f, scope)?;
        match e.kind {
            ExprKind::Column(i) => Ok(i),
            _ => Err(PlanError::plan(
                f.span(),
                "a range bound must be a field of the input",
            )),
        }
    }

    /// Resolves a field reference in scope: nested aliases first, then the input's fields.
    fn field(&self, f: &FieldRef, scope: &Scope<'_>) -> Result<Expr> {
        match f {
            FieldRef::Position(p) => {
                let i = p.node as usize;
                let ty = match scope.schema {
                    Some(s) => match s.fields.get(i) {
                        Some(f) => f.ty.clone(),
                        None => {
                            return Err(PlanError::plan(
                                p.span,
                                format!(
                                    "Out of bound access. Trying to access non-existent column: {i}. Schema {{{s}}} has {} column(s).",
                                    s.fields.len()
                                ),
                            ));
                        }
                    },
                    None => PigType::Bytearray,
                };
                Ok(Expr::new(ExprKind::Column(i), ty, p.span))
            }
            FieldRef::Name(n) => {
                if let Some(i) = scope.slots.iter().rposition(|(name, _)| name == &n.node) {
                    return Ok(Expr::new(
                        ExprKind::Slot(i),
                        scope.slots[i].1.clone(),
                        n.span,
                    ));
                }
                match scope.schema {
                    Some(s) => match s.index_of(&n.node) {
                        Some(i) => Ok(Expr::new(ExprKind::Column(i), s.fields[i].ty.clone(), n.span)),
                        None => {
                            let candidates = s.fields.iter().filter_map(|f| f.name.as_deref())
                                .chain(scope.slots.iter().map(|(n, _)| n.as_str()));
                            let mut err = PlanError::plan(n.span, format!(
                                "Invalid field projection. Projected field [{}] does not exist in schema: {s}.", n.node
                            )).with_pig_code(1025);
                            if let Some(c) = did_you_mean(&n.node, candidates) {
                                err = err.with_help(format!("did you mean `{c}`?"));
                            }
                            Err(err)
                        }
                    },
                    None => Err(PlanError::plan(n.span, format!(
                        "Invalid field projection. Projected field [{}] does not exist: the input's schema is unknown", n.node
                    )).with_pig_code(1025).with_help("declare a schema with AS (...) in the LOAD, or refer to fields by position ($0, $1, ...)")),
                }
            }
        }
    }

    /// Checks and types one expression.
    fn expr(&self, e: &a::Expr, scope: &Scope<'_>) -> Result<Expr> {
        let span = e.span;
        Ok(match &e.node {
            a::ExprKind::Literal(l) => literal(l, span)?,
            a::ExprKind::Field(f) => self.field(f, scope)?,
            a::ExprKind::Star => Expr::new(
                ExprKind::WholeRow,
                PigType::Tuple(scope.schema.cloned()),
                span,
            ),
            a::ExprKind::Range { .. } => {
                return Err(PlanError::plan(
                    span,
                    "a field range is only allowed in GENERATE and function arguments",
                ));
            }
            a::ExprKind::Deref { expr, fields } => {
                if let Some(scalar) = self.scalar(expr, fields, scope, span)? {
                    return Ok(scalar);
                }
                let base = self.expr(expr, scope)?;
                deref(base, fields, span)?
            }
            a::ExprKind::MapLookup { expr, key } => {
                let base = self.expr(expr, scope)?;
                let ty = match &base.ty {
                    PigType::Map(Some(v)) => (**v).clone(),
                    PigType::Map(None) | PigType::Bytearray => PigType::Bytearray,
                    other => {
                        return Err(PlanError::plan(
                            span,
                            format!("`#` looks up a map, but this is a {other}"),
                        ));
                    }
                };
                let base = if base.ty == PigType::Bytearray {
                    base.cast_to(&PigType::Map(None))
                } else {
                    base
                };
                Expr::new(
                    ExprKind::MapLookup {
                        expr: Box::new(base),
                        key: key.clone(),
                    },
                    ty,
                    span,
                )
            }
            a::ExprKind::Binary { op, left, right } => {
                let l = self.expr(left, scope)?;
                let r = self.expr(right, scope)?;
                binary(*op, l, r, span)?
            }
            a::ExprKind::Unary { op, expr } => {
                let x = self.expr(expr, scope)?;
                match op {
                    a::UnaryOp::Not => Expr::new(
                        ExprKind::Not(Box::new(boolean(x, expr.span)?)),
                        PigType::Boolean,
                        span,
                    ),
                    a::UnaryOp::Neg => {
                        let ty = arithmetic(&x.ty, &x.ty).ok_or_else(|| {
                            PlanError::plan(span, format!("cannot negate a {}", x.ty))
                        })?;
                        Expr::new(ExprKind::Neg(Box::new(x.cast_to(&ty))), ty, span)
                    }
                }
            }
            a::ExprKind::Cast { ty, expr } => {
                check_type_names(ty)?;
                let x = self.expr(expr, scope)?;
                let to = type_of(ty);
                if !castable(&x.ty, &to) {
                    return Err(PlanError::plan(
                        span,
                        format!("cannot cast {} to {to}", x.ty),
                    ));
                }
                Expr::new(ExprKind::Cast(Box::new(x)), to, span)
            }
            a::ExprKind::IsNull { expr, negated } => {
                let x = self.expr(expr, scope)?;
                Expr::new(
                    ExprKind::IsNull {
                        expr: Box::new(x),
                        negated: *negated,
                    },
                    PigType::Boolean,
                    span,
                )
            }
            a::ExprKind::Matches { expr, pattern } => {
                let x = self.expr(expr, scope)?;
                let a::ExprKind::Literal(Literal::String(p)) = &pattern.node else {
                    return Err(PlanError::not_implemented(
                        pattern.span,
                        "MATCHES with a pattern that is not a string literal",
                    ));
                };
                let regex = regex::Regex::new(&format!("^(?:{p})$")).map_err(|err| {
                    PlanError::plan(pattern.span, format!("invalid regular expression: {err}"))
                })?;
                let x = match x.ty {
                    PigType::Chararray => x,
                    PigType::Bytearray => x.cast_to(&PigType::Chararray),
                    ref other => {
                        return Err(PlanError::plan(
                            span,
                            format!("MATCHES needs a chararray, not a {other}"),
                        ));
                    }
                };
                Expr::new(
                    ExprKind::Matches {
                        expr: Box::new(x),
                        regex: Arc::new(regex),
                    },
                    PigType::Boolean,
                    span,
                )
            }
            a::ExprKind::In { expr, list } => {
                let x = self.expr(expr, scope)?;
                let items = list
                    .iter()
                    .map(|i| self.expr(i, scope))
                    .collect::<Result<Vec<_>>>()?;
                let mut ty = x.ty.clone();
                for i in &items {
                    ty = comparable(&ty, &i.ty).ok_or_else(|| {
                        PlanError::plan(
                            i.span,
                            format!(
                                "IN list value of type {} cannot be compared with {}",
                                i.ty, x.ty
                            ),
                        )
                    })?;
                }
                let list = items.into_iter().map(|i| i.cast_to(&ty)).collect();
                Expr::new(
                    ExprKind::In {
                        expr: Box::new(x.cast_to(&ty)),
                        list,
                    },
                    PigType::Boolean,
                    span,
                )
            }
            a::ExprKind::Bincond {
                cond,
                then,
                otherwise,
            } => {
                let c = boolean(self.expr(cond, scope)?, cond.span)?;
                let t = self.expr(then, scope)?;
                let o = self.expr(otherwise, scope)?;
                conditional(c, t, o, span)?
            }
            a::ExprKind::Case {
                operand,
                whens,
                otherwise,
            } => {
                let operand = operand.as_ref().map(|o| self.expr(o, scope)).transpose()?;
                let mut result = match otherwise {
                    Some(o) => self.expr(o, scope)?,
                    None => Expr::new(ExprKind::Const(Value::Null), PigType::Bytearray, span),
                };
                for (when, then) in whens.iter().rev() {
                    let w = self.expr(when, scope)?;
                    let c = match &operand {
                        Some(op) => binary(a::BinaryOp::Eq, op.clone(), w, when.span)?,
                        None => boolean(w, when.span)?,
                    };
                    let t = self.expr(then, scope)?;
                    result = conditional(c, t, result, span)?;
                }
                result
            }
            a::ExprKind::Call { func, args } => self.call(func, args, scope, span)?,
            a::ExprKind::Flatten(_) => {
                return Err(PlanError::plan(
                    span,
                    "FLATTEN is only allowed as a GENERATE item",
                ));
            }
            a::ExprKind::Tuple(items) => {
                let items = items
                    .iter()
                    .map(|i| self.expr(i, scope))
                    .collect::<Result<Vec<_>>>()?;
                let schema = Schema::new(
                    items
                        .iter()
                        .map(|i| Field {
                            name: expr_name(i, scope),
                            ty: i.ty.clone(),
                        })
                        .collect(),
                );
                Expr::new(
                    ExprKind::MakeTuple(items),
                    PigType::Tuple(Some(schema)),
                    span,
                )
            }
            a::ExprKind::Bag(items) => {
                let items = items
                    .iter()
                    .map(|i| self.expr(i, scope))
                    .collect::<Result<Vec<_>>>()?;
                let inner = items.first().map(|i| match &i.ty {
                    PigType::Tuple(s) => s.clone(),
                    other => Some(Schema::new(vec![Field::unnamed(other.clone())])),
                });
                Expr::new(
                    ExprKind::MakeBag(items),
                    PigType::Bag(inner.flatten()),
                    span,
                )
            }
            a::ExprKind::Map(pairs) => {
                let mut out = Vec::new();
                for (k, v) in pairs {
                    let k = self.expr(k, scope)?.cast_to(&PigType::Chararray);
                    out.push((k, self.expr(v, scope)?));
                }
                Expr::new(ExprKind::MakeMap(out), PigType::Map(None), span)
            }
        })
    }

    /// `R.field` where `R` names a relation (not a field in scope): a relation used as a
    /// scalar, the value of `field` in its single row.
    fn scalar(
        &self,
        base: &a::Expr,
        fields: &[FieldRef],
        scope: &Scope<'_>,
        span: Span,
    ) -> Result<Option<Expr>> {
        let a::ExprKind::Field(FieldRef::Name(name)) = &base.node else {
            return Ok(None);
        };
        let in_scope = scope.slots.iter().any(|(n, _)| n == &name.node)
            || scope
                .schema
                .is_some_and(|s| s.index_of(&name.node).is_some());
        if in_scope {
            return Ok(None);
        }
        let Some(&(relation, _)) = self.aliases.get(&name.node) else {
            return Ok(None);
        };
        let [field] = fields else {
            return Err(PlanError::plan(
                span,
                format!(
                    "a relation used as a scalar gives one field: write {}.field",
                    name.node
                ),
            ));
        };
        let schema = self.plan.node(relation).schema.as_ref();
        let (column, ty) = match (field, schema) {
            (FieldRef::Position(p), None) => (p.node as usize, PigType::Bytearray),
            (FieldRef::Position(p), Some(s)) => {
                let i = p.node as usize;
                let f = s.fields.get(i).ok_or_else(|| {
                    PlanError::plan(
                        p.span,
                        format!(
                            "Out of bound access. Trying to access non-existent column: {i}. Schema {{{s}}} has {} column(s).",
                            s.fields.len()
                        ),
                    )
                })?;
                (i, f.ty.clone())
            }
            (FieldRef::Name(n), Some(s)) => {
                let i = s.index_of(&n.node).ok_or_else(|| {
                    PlanError::plan(
                        n.span,
                        format!(
                            "Invalid scalar projection: field [{}] does not exist in {}: {s}.",
                            n.node, name.node
                        ),
                    )
                })?;
                (i, s.fields[i].ty.clone())
            }
            (FieldRef::Name(n), None) => {
                return Err(PlanError::plan(
                    n.span,
                    format!(
                        "cannot find field `{}`: the schema of {} is unknown",
                        n.node, name.node
                    ),
                ));
            }
        };
        Ok(Some(Expr::new(
            ExprKind::Scalar { relation, column },
            ty,
            span,
        )))
    }

    fn call(&self, func: &Ident, args: &[a::Expr], scope: &Scope<'_>, span: Span) -> Result<Expr> {
        let (name, ctor_args) = match self.defines.get(&func.node) {
            Some(f) => (f.name.clone(), f.args.as_slice()),
            None => (func.node.clone(), &[][..]),
        };
        let short = name
            .strip_prefix("org.apache.pig.builtin.")
            .unwrap_or(&name);
        let defined_at = self.defines.get(&func.node).map(|f| f.span);
        let with_define = |e: PlanError| match defined_at {
            Some(at) => e.with_related(at, "defined here"),
            None => e,
        };
        let builtin = builtin_with_args(short, ctor_args)
            .map_err(|m| with_define(PlanError::plan(func.span, format!("{}: {m}", func.node))))?;
        let f = match builtin {
            Some(f) => Func::new(
                FuncSpec::Builtin {
                    name: short.to_string(),
                    args: ctor_args.to_vec(),
                },
                f,
            ),
            None => self
                .plugin_func(&name, ctor_args, func.span)
                .map(|f| {
                    f.map(|f| {
                        Func::new(
                            FuncSpec::Plugin {
                                name: name.clone(),
                                args: ctor_args.to_vec(),
                            },
                            f,
                        )
                    })
                })
                .map_err(with_define)?
                .ok_or_else(|| {
                    if let Some(at) = self.failed_register
                        && name.contains('.')
                    {
                        return follow_on(
                            func.span,
                            format!("unknown function `{}`: a REGISTER failed", func.node),
                        )
                        .with_related(at, "this REGISTER failed");
                    }
                    if self.is_java_class(&name) {
                        return with_define(
                            PlanError::plan(
                                func.span,
                                format!(
                                    "pigrs cannot run Java: `{name}` is not one of the DataFu or Piggybank functions pigrs provides"
                                ),
                            )
                            .with_pig_code(1070)
                            .with_help(JAVA_HELP),
                        );
                    }
                    let mut err = PlanError::plan(
                        func.span,
                        format!("Could not resolve `{}`: unknown function", func.node),
                    )
                    .with_pig_code(1070);
                    let plugins = self.plugin_names();
                    let names = builtin_names()
                        .into_iter()
                        .chain(plugins.iter().map(String::as_str));
                    if let Some(c) = did_you_mean(&func.node, names) {
                        err = err.with_help(format!("did you mean `{c}`?"));
                    } else if name.contains('.') {
                        err = err.with_help(
                            "REGISTER the plugin library that exports it before calling it",
                        );
                    }
                    with_define(err)
                })?,
        };
        let mut checked = Vec::new();
        for arg in args {
            match &arg.node {
                a::ExprKind::Range { from, to } => {
                    for i in self.range(from.as_ref(), to.as_ref(), scope, arg.span)? {
                        let ty = scope
                            .schema
                            .map(|s| s.fields[i].ty.clone())
                            .unwrap_or(PigType::Bytearray);
                        checked.push(Expr::new(ExprKind::Column(i), ty, arg.span));
                    }
                }
                _ => checked.push(self.expr(arg, scope)?),
            }
        }
        // Functions that find fields by name (DataFu's BagGroup, BagLeftOuterJoin) are
        // configured here from the arguments' names and literal values.
        let bound: Vec<BoundArg> = checked
            .iter()
            .map(|e| BoundArg {
                ty: e.ty.clone(),
                name: expr_name(e, scope),
                constant: match &e.kind {
                    ExprKind::Const(v) => Some(v.clone()),
                    _ => None,
                },
            })
            .collect();
        let f = f
            .bind(&bound)
            .map_err(|msg| with_define(PlanError::plan(span, format!("{}: {msg}", func.node))))?;
        // A relation-level `*` passed to an aggregate is the bag of the whole input.
        let types: Vec<PigType> = checked.iter().map(|e| e.ty.clone()).collect();
        let mut ty = f
            .return_type(&types)
            .map_err(|msg| PlanError::plan(span, format!("{}: {msg}", func.node)))?;
        // TOTUPLE's fields keep its arguments' names (Pig's TOTUPLE.outputSchema).
        if f.name() == "TOTUPLE"
            && let PigType::Tuple(Some(schema)) = &mut ty
        {
            for (field, arg) in schema.fields.iter_mut().zip(&checked) {
                field.name = expr_name(arg, scope);
            }
        }
        Ok(Expr::new(
            ExprKind::Call {
                func: f,
                args: checked,
            },
            ty,
            span,
        ))
    }

    /// The name of a GENERATE item with no AS: a field's own name, and, as Pig names a
    /// TOTUPLE column, `org.apache.pig.builtin.totuple_<an argument's name>_<n>`
    /// (`EvalFunc.getSchemaName`; `n` counts such names in the script).
    fn item_name(&self, e: &Expr, scope: &Scope<'_>) -> Option<String> {
        if let ExprKind::Call { func, args } = &e.kind
            && func.name() == "TOTUPLE"
        {
            let names: Vec<String> = args.iter().filter_map(|a| expr_name(a, scope)).collect();
            let id = self.schema_ids.get() + 1;
            self.schema_ids.set(id);
            return Some(match java_first_key(&names) {
                Some(alias) => format!("org.apache.pig.builtin.totuple_{alias}_{id}"),
                None => format!("org.apache.pig.builtin.totuple_{id}"),
            });
        }
        if let ExprKind::Cond { then, .. } = &e.kind {
            return self.item_name(then, scope);
        }
        expr_name(e, scope)
    }
}

/// The key Java 7's `HashMap` iterates first after `names` are put in order into one
/// with the default capacity, as a Pig `Schema`'s aliases are: Pig names a UDF's column
/// after it. Buckets come from `String.hashCode` spread as Java 7 spreads it; within a
/// bucket the latest key comes first.
fn java_first_key(names: &[String]) -> Option<&str> {
    let mut distinct: Vec<&str> = Vec::new();
    for n in names {
        if !distinct.contains(&n.as_str()) {
            distinct.push(n);
        }
    }
    let mut capacity: u32 = 16;
    while distinct.len() as u64 > u64::from(capacity) * 3 / 4 {
        capacity *= 2;
    }
    let bucket = |s: &str| {
        let mut h = s
            .encode_utf16()
            .fold(0u32, |h, c| h.wrapping_mul(31).wrapping_add(u32::from(c)));
        h ^= (h >> 20) ^ (h >> 12);
        (h ^ (h >> 7) ^ (h >> 4)) & (capacity - 1)
    };
    distinct
        .iter()
        .enumerate()
        .min_by_key(|(i, s)| (bucket(s), std::cmp::Reverse(*i)))
        .map(|(_, s)| *s)
}

/// Where names resolve while checking an expression.
struct Scope<'s> {
    /// The schema of the tuple being evaluated on (`None`: unknown).
    schema: Option<&'s Schema>,
    /// Nested-block aliases defined so far.
    slots: &'s [(String, PigType)],
}

fn expr_name_ast(e: &a::Expr) -> Option<String> {
    match &e.node {
        a::ExprKind::Field(FieldRef::Name(n)) => {
            Some(n.node.rsplit("::").next().unwrap_or(&n.node).to_string())
        }
        _ => None,
    }
}

/// The name Pig gives a GENERATE item or a tuple field computed by `e`.
fn expr_name(e: &Expr, scope: &Scope<'_>) -> Option<String> {
    match &e.kind {
        ExprKind::Column(i) => scope
            .schema
            .and_then(|s| s.fields.get(*i))
            .and_then(|f| f.name.clone()),
        ExprKind::Slot(i) => scope.slots.get(*i).map(|(n, _)| n.clone()),
        ExprKind::TupleField { expr, index } => match &expr.ty {
            PigType::Tuple(Some(s)) => s.fields.get(*index).and_then(|f| f.name.clone()),
            _ => None,
        },
        ExprKind::BagProject { expr, indices } if indices.len() == 1 => match &expr.ty {
            PigType::Bag(Some(s)) => s.fields.get(indices[0]).and_then(|f| f.name.clone()),
            _ => None,
        },
        ExprKind::Cast(inner) => expr_name(inner, scope),
        // A bincond is named after its first branch (Pig's BinCondExpression).
        ExprKind::Cond { then, .. } => expr_name(then, scope),
        _ => None,
    }
}

/// Checks the options of a streaming command that pigrs can honour: one INPUT and one
/// OUTPUT, each stdin/stdout or a file, with Pig's default (de)serializer `PigStreaming`
/// (or `PigStorage`) and at most a delimiter argument (decoded, as PigStorage's, by the
/// runtime); CACHE paths name the file they become with `#name`.
fn check_stream_command(cmd: &a::StreamCommand) -> Result<()> {
    for (specs, std, other, what) in [
        (&cmd.input, "stdin", "stdout", "INPUT"),
        (&cmd.output, "stdout", "stdin", "OUTPUT"),
    ] {
        if let Some((extra, _)) = specs.get(1) {
            return Err(PlanError::not_implemented(
                extra.span,
                format!("a streaming command with more than one {what}"),
            ));
        }
        for (spec, func) in specs.iter() {
            if spec.node == other || spec.node.is_empty() {
                return Err(PlanError::plan(
                    spec.span,
                    format!("{what} takes {std} or a file name, not '{}'", spec.node),
                ));
            }
            if let Some(f) = func {
                let name = f.name.node.rsplit('.').next().unwrap_or(&f.name.node);
                if name != "PigStreaming" && name != "PigStorage" {
                    return Err(PlanError::not_implemented(
                        f.span,
                        format!("the stream (de)serializer {}", f.name.node),
                    )
                    .with_help("use PigStreaming('delimiter')"));
                }
                if f.args.len() > 1 {
                    return Err(PlanError::plan(
                        f.span,
                        format!("{name} takes one argument here, the field delimiter"),
                    ));
                }
            }
        }
    }
    for c in &cmd.cache {
        let name = c.node.rsplit_once('#').map(|(_, n)| n);
        if !name.is_some_and(|n| !n.is_empty() && !n.contains('/')) {
            return Err(PlanError::plan(
                c.span,
                format!(
                    "CACHE needs 'path#name', the name the file gets: '{}'",
                    c.node
                ),
            ));
        }
    }
    Ok(())
}

fn check_duplicates(fields: &[Field], span: Span) -> Result<()> {
    let mut seen = HashSet::new();
    for f in fields {
        if let Some(n) = &f.name
            && !seen.insert(n.as_str())
        {
            return Err(PlanError::plan(
                span,
                format!("Duplicate schema alias: `{n}` in the GENERATE list"),
            )
            .with_pig_code(1108)
            .with_help("rename one of them with AS"));
        }
    }
    Ok(())
}

/// `base.field` or `base.(f1, f2)`.
fn deref(base: Expr, fields: &[FieldRef], span: Span) -> Result<Expr> {
    let (schema, is_bag) = match &base.ty {
        PigType::Tuple(s) => (s.clone(), false),
        PigType::Bag(s) => (s.clone(), true),
        PigType::Bytearray => (None, false),
        other => {
            return Err(PlanError::plan(
                span,
                format!("`.` projects from a tuple or bag, but this is a {other}"),
            ));
        }
    };
    let mut indices = Vec::new();
    let mut out_fields = Vec::new();
    for f in fields {
        let i = match (f, &schema) {
            (FieldRef::Position(p), _) => p.node as usize,
            (FieldRef::Name(n), Some(s)) => s.index_of(&n.node).ok_or_else(|| {
                PlanError::plan(n.span, format!("Invalid field projection. Projected field [{}] does not exist in schema: {s}.", n.node)).with_pig_code(1025)
            })?,
            (FieldRef::Name(n), None) => {
                return Err(PlanError::plan(n.span, format!("Invalid field projection. Projected field [{}] does not exist: the schema is unknown", n.node)).with_pig_code(1025));
            }
        };
        let field = match &schema {
            Some(s) => s.fields.get(i).cloned().ok_or_else(|| {
                PlanError::plan(
                    f.span(),
                    format!("Out of bound access. Trying to access non-existent column: {i}."),
                )
            })?,
            None => Field::unnamed(PigType::Bytearray),
        };
        indices.push(i);
        out_fields.push(field);
    }
    if is_bag {
        let ty = PigType::Bag(Some(Schema::new(out_fields)));
        return Ok(Expr::new(
            ExprKind::BagProject {
                expr: Box::new(base),
                indices,
            },
            ty,
            span,
        ));
    }
    let base = if base.ty == PigType::Bytearray {
        base.cast_to(&PigType::Tuple(None))
    } else {
        base
    };
    if indices.len() == 1 {
        let ty = out_fields.remove(0).ty;
        return Ok(Expr::new(
            ExprKind::TupleField {
                expr: Box::new(base),
                index: indices[0],
            },
            ty,
            span,
        ));
    }
    let items: Vec<Expr> = indices
        .iter()
        .zip(&out_fields)
        .map(|(&index, f)| {
            Expr::new(
                ExprKind::TupleField {
                    expr: Box::new(base.clone()),
                    index,
                },
                f.ty.clone(),
                span,
            )
        })
        .collect();
    Ok(Expr::new(
        ExprKind::MakeTuple(items),
        PigType::Tuple(Some(Schema::new(out_fields))),
        span,
    ))
}

fn boolean(e: Expr, span: Span) -> Result<Expr> {
    match e.ty {
        PigType::Boolean => Ok(e),
        PigType::Bytearray => Ok(e.cast_to(&PigType::Boolean)),
        ref other => Err(PlanError::plan(
            span,
            format!("a condition must be boolean, but this is a {other}"),
        )),
    }
}

/// Whether two types are alike but for field names; an unknown schema is like any.
fn same_shape(a: &PigType, b: &PigType) -> bool {
    let schemas = |x: &Option<Schema>, y: &Option<Schema>| match (x, y) {
        (Some(x), Some(y)) => {
            x.fields.len() == y.fields.len()
                && x.fields
                    .iter()
                    .zip(&y.fields)
                    .all(|(f, g)| same_shape(&f.ty, &g.ty))
        }
        _ => true,
    };
    match (a, b) {
        (PigType::Tuple(x), PigType::Tuple(y)) | (PigType::Bag(x), PigType::Bag(y)) => {
            schemas(x, y)
        }
        (PigType::Map(x), PigType::Map(y)) => match (x, y) {
            (Some(x), Some(y)) => same_shape(x, y),
            _ => true,
        },
        _ => a == b,
    }
}

fn conditional(c: Expr, t: Expr, o: Expr, span: Span) -> Result<Expr> {
    let is_null = |e: &Expr| matches!(e.kind, ExprKind::Const(Value::Null));
    let ty = if is_null(&t) {
        o.ty.clone()
    } else if is_null(&o) {
        t.ty.clone()
    } else if t.ty.is_complex() && std::mem::discriminant(&t.ty) == std::mem::discriminant(&o.ty) {
        // Tuples, bags and maps need matching schemas (names aside); the result has the
        // first branch's (Pig's BinCondExpression), so its names.
        if !same_shape(&t.ty, &o.ty) {
            return Err(PlanError::plan(
                span,
                format!(
                    "Two inputs of BinCond must have compatible schemas: {} and {}",
                    t.ty, o.ty
                ),
            )
            .with_pig_code(1048));
        }
        match (&t.ty, &o.ty) {
            (PigType::Tuple(None), PigType::Tuple(Some(_)))
            | (PigType::Bag(None), PigType::Bag(Some(_)))
            | (PigType::Map(None), PigType::Map(Some(_))) => o.ty.clone(),
            _ => t.ty.clone(),
        }
    } else {
        common(&t.ty, &o.ty).ok_or_else(|| {
            PlanError::plan(
                span,
                format!(
                    "the two branches have types {} and {}, which do not match",
                    t.ty, o.ty
                ),
            )
        })?
    };
    let t = t.cast_to(&ty);
    let o = o.cast_to(&ty);
    Ok(Expr::new(
        ExprKind::Cond {
            cond: Box::new(c),
            then: Box::new(t),
            otherwise: Box::new(o),
        },
        ty,
        span,
    ))
}

fn binary(op: a::BinaryOp, l: Expr, r: Expr, span: Span) -> Result<Expr> {
    use a::BinaryOp as B;
    let arith = |aop: ArithOp, l: Expr, r: Expr| -> Result<Expr> {
        let ty = arithmetic(&l.ty, &r.ty).ok_or_else(|| {
            PlanError::plan(
                span,
                format!(
                    "incompatible types in {} Operator left hand side:{} right hand side:{}: arithmetic `{aop}` is not defined on them",
                    aop.pig_name(),
                    l.ty,
                    r.ty
                ),
            )
            .with_pig_code(1039)
        })?;
        let (l, r) = (l.cast_to(&ty), r.cast_to(&ty));
        Ok(Expr::new(
            ExprKind::Arith {
                op: aop,
                left: Box::new(l),
                right: Box::new(r),
            },
            ty,
            span,
        ))
    };
    let cmp = |cop: CmpOp, l: Expr, r: Expr| -> Result<Expr> {
        let null_lit = |e: &Expr| matches!(e.kind, ExprKind::Const(Value::Null));
        let ty = if null_lit(&l) {
            r.ty.clone()
        } else if null_lit(&r) {
            l.ty.clone()
        } else {
            comparable(&l.ty, &r.ty).ok_or_else(|| {
                PlanError::plan(span, format!("cannot compare {} with {}", l.ty, r.ty))
            })?
        };
        if matches!(cop, CmpOp::Lt | CmpOp::Le | CmpOp::Gt | CmpOp::Ge)
            && matches!(ty, PigType::Bag(_) | PigType::Map(_) | PigType::Boolean)
        {
            return Err(PlanError::plan(
                span,
                format!("`{cop}` is not defined on {}", ty.name()),
            ));
        }
        let (l, r) = (l.cast_to(&ty), r.cast_to(&ty));
        Ok(Expr::new(
            ExprKind::Cmp {
                op: cop,
                left: Box::new(l),
                right: Box::new(r),
            },
            PigType::Boolean,
            span,
        ))
    };
    match op {
        B::Add => arith(ArithOp::Add, l, r),
        B::Sub => arith(ArithOp::Sub, l, r),
        B::Mul => arith(ArithOp::Mul, l, r),
        B::Div => arith(ArithOp::Div, l, r),
        B::Mod => arith(ArithOp::Mod, l, r),
        B::Eq => cmp(CmpOp::Eq, l, r),
        B::Ne => cmp(CmpOp::Ne, l, r),
        B::Lt => cmp(CmpOp::Lt, l, r),
        B::Le => cmp(CmpOp::Le, l, r),
        B::Gt => cmp(CmpOp::Gt, l, r),
        B::Ge => cmp(CmpOp::Ge, l, r),
        B::And => {
            let (ls, rs) = (l.span, r.span);
            Ok(Expr::new(
                ExprKind::And(Box::new(boolean(l, ls)?), Box::new(boolean(r, rs)?)),
                PigType::Boolean,
                span,
            ))
        }
        B::Or => {
            let (ls, rs) = (l.span, r.span);
            Ok(Expr::new(
                ExprKind::Or(Box::new(boolean(l, ls)?), Box::new(boolean(r, rs)?)),
                PigType::Boolean,
                span,
            ))
        }
    }
}

fn literal(l: &Literal, span: Span) -> Result<Expr> {
    let (v, ty) = match l {
        Literal::Null => (Value::Null, PigType::Bytearray),
        Literal::Boolean(b) => (Value::Boolean(*b), PigType::Boolean),
        Literal::Int(i) => (Value::Int(*i), PigType::Int),
        Literal::Long(i) => (Value::Long(*i), PigType::Long),
        Literal::Float(f) => (Value::Float(*f), PigType::Float),
        Literal::Double(d) => (Value::Double(*d), PigType::Double),
        Literal::String(s) => (Value::Chararray(s.clone()), PigType::Chararray),
        Literal::BigInteger(s) => {
            let v = s
                .parse()
                .map_err(|_| PlanError::plan(span, format!("invalid biginteger literal {s}")))?;
            (Value::BigInteger(Box::new(v)), PigType::BigInteger)
        }
        Literal::BigDecimal(s) => {
            let v = s
                .parse()
                .map_err(|_| PlanError::plan(span, format!("invalid bigdecimal literal {s}")))?;
            (Value::BigDecimal(Box::new(v)), PigType::BigDecimal)
        }
    };
    Ok(Expr::new(ExprKind::Const(v), ty, span))
}

fn literal_text(l: &Literal) -> String {
    match l {
        Literal::String(s) => s.clone(),
        Literal::Null => String::new(),
        Literal::Boolean(b) => b.to_string(),
        Literal::Int(i) => i.to_string(),
        Literal::Long(i) => i.to_string(),
        Literal::Float(f) => f.to_string(),
        Literal::Double(d) => d.to_string(),
        Literal::BigInteger(s) | Literal::BigDecimal(s) => s.clone(),
    }
}

fn const_count(e: &a::Expr) -> Result<u64> {
    match &e.node {
        a::ExprKind::Literal(Literal::Int(n)) if *n >= 0 => Ok(*n as u64),
        a::ExprKind::Literal(Literal::Long(n)) if *n >= 0 => Ok(*n as u64),
        a::ExprKind::Literal(_) => Err(PlanError::plan(
            e.span,
            "LIMIT needs a non-negative integer",
        )),
        _ => Err(PlanError::not_implemented(
            e.span,
            "LIMIT by a scalar expression",
        )),
    }
}

fn const_fraction(e: &a::Expr) -> Result<f64> {
    let f = match &e.node {
        a::ExprKind::Literal(Literal::Double(d)) => *d,
        a::ExprKind::Literal(Literal::Float(f)) => f64::from(*f),
        a::ExprKind::Literal(Literal::Int(i)) => f64::from(*i),
        _ => {
            return Err(PlanError::not_implemented(
                e.span,
                "SAMPLE by a scalar expression",
            ));
        }
    };
    if !(0.0..=1.0).contains(&f) {
        return Err(PlanError::plan(
            e.span,
            "SAMPLE needs a fraction between 0 and 1",
        ));
    }
    Ok(f)
}

/// DESCRIBE's text for a nested alias's type: bags print their tuples' schema.
fn describe_type(ty: &PigType) -> String {
    match ty {
        PigType::Bag(Some(s)) => format!("{{{s}}}"),
        other => format!("{{{other}}}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn describe(script: &str) -> Vec<String> {
        let ast = pigrs_grammar::parse_script(script, 0).expect("parses");
        let (_, actions) = plan_script(&ast).expect("plans");
        actions
            .into_iter()
            .filter_map(|a| match a {
                Action::Print(t) => Some(t),
                _ => None,
            })
            .collect()
    }

    fn error(script: &str) -> PlanError {
        let ast = pigrs_grammar::parse_script(script, 0).expect("parses");
        plan_script(&ast).expect_err("fails").remove(0)
    }

    #[test]
    fn a_udf_column_takes_the_first_key_java_iterates() {
        // Pig's e2e nightly tests expect these (`totuple_id_`, `totuple_intnum100_`).
        let names = |v: &[&str]| v.iter().map(|s| (*s).to_string()).collect::<Vec<_>>();
        assert_eq!(
            java_first_key(&names(&["intnum1000", "id", "intnum5"])),
            Some("id")
        );
        assert_eq!(
            java_first_key(&names(&["intnum5", "intnum100", "intnum"])),
            Some("intnum100")
        );
        assert_eq!(java_first_key(&names(&["x", "x"])), Some("x"));
        assert_eq!(java_first_key(&[]), None);
    }

    #[test]
    fn totuple_tobag_and_bincond_columns_are_named_as_in_pig() {
        let d = describe(
            "A = LOAD 'x' AS (intnum1000: int, id: int, s: chararray);\n\
             T = FOREACH A GENERATE TOTUPLE(intnum1000, id, $0), TOBAG($0, $1), TOBAG(s, id), TOTUPLE(1, 2);\n\
             DESCRIBE T;",
        );
        assert_eq!(
            d,
            [
                "T: {org.apache.pig.builtin.totuple_id_1: (intnum1000: int,id: int,intnum1000: int),{(int)},{()},org.apache.pig.builtin.totuple_2: (int,int)}"
            ]
        );
        // Pig's cmdline e2e test 13: a bincond has its first branch's schema and name.
        let d = describe(
            "A = LOAD 'a' AS (name: chararray, age: int, gpa: float);\n\
             B = LOAD 'b' AS (name: chararray, age: int, registration: chararray, contributions: float);\n\
             C = COGROUP A BY name, B BY name;\n\
             D = FOREACH C GENERATE group, flatten((not IsEmpty(A) ? A : (bag{tuple(chararray, int, float)}){(null, null, null)})), flatten((not IsEmpty(B) ? B : (bag{tuple(chararray, int, chararray, float)}){(null,null,null, null)}));\n\
             DESCRIBE D;",
        );
        assert_eq!(
            d,
            [
                "D: {group: chararray,A::name: chararray,A::age: int,A::gpa: float,B::name: chararray,B::age: int,B::registration: chararray,B::contributions: float}"
            ]
        );
        let e = error(
            "A = LOAD 'a' AS (n: chararray, a: int);\nC = GROUP A BY n;\nD = FOREACH C GENERATE (group == 'x' ? A : (bag{tuple(int)}){(1)});",
        );
        assert!(e.message.contains("compatible schemas"), "{}", e.message);
    }

    #[test]
    fn flatten_of_a_map_gives_key_and_value() {
        let d = describe(
            "A = LOAD 'x' AS (s: chararray, m: map[int], u: map[]);\n\
             B = FOREACH A GENERATE s, FLATTEN(m);\nDESCRIBE B;\n\
             C = FOREACH A GENERATE s, FLATTEN(u);\nDESCRIBE C;",
        );
        assert_eq!(
            d,
            [
                "B: {s: chararray,m::key: chararray,m::value: int}",
                "Schema for C unknown."
            ]
        );
    }

    #[test]
    fn a_duplicate_name_in_a_declared_schema_is_rejected() {
        for script in [
            "A = LOAD 'x' AS (a: int, b: int, a: chararray);",
            "A = LOAD 'x' AS (t: tuple(a: int, a: int));",
            "A = LOAD 'x' AS (b: bag{(a: int, a: int)});",
            "A = LOAD 'x';\nB = FOREACH A GENERATE $0 AS (a, a);",
            "A = LOAD 'x';\nB = FOREACH A GENERATE (tuple(a: int, a: int))$0;",
        ] {
            let e = error(script);
            assert_eq!(e.message, "Duplicated alias in schema: `a`", "{script}");
            assert_eq!(e.related.len(), 1, "{script}");
        }
    }

    #[test]
    fn numbers_of_any_types_compare() {
        // Pig casts the lower type to the higher, biginteger and bigdecimal above double.
        describe(
            "A = LOAD 'x' AS (i: biginteger, d: bigdecimal, f: double);\n\
             B = FILTER A BY i IN (1, 2L, 3BI) AND d IN (1.5, 2BD) AND i == 2.0 AND d > f AND i < d;",
        );
        let e = error("A = LOAD 'x' AS (i: biginteger);\nB = FILTER A BY i == 'x';");
        assert!(e.message.contains("cannot compare"), "{}", e.message);
    }

    #[test]
    fn limit_and_sample_take_scalar_expressions_but_no_fields() {
        describe(
            "A = LOAD 'x' AS (n: int);\nC = FOREACH (GROUP A ALL) GENERATE COUNT(A) AS c;\n\
             B = LIMIT A C.c / 10;\nS = SAMPLE A 1.0 / C.c;",
        );
        let e = error("A = LOAD 'x' AS (n: int);\nB = LIMIT A n + 1;");
        assert!(e.message.contains("cannot use a field"), "{}", e.message);
        let e = error(
            "A = LOAD 'x' AS (n: int);\nC = FOREACH (GROUP A ALL) GENERATE 'x' AS c;\nB = LIMIT A C.c;",
        );
        assert!(e.message.contains("int or a long"), "{}", e.message);
    }

    #[test]
    fn at_names_the_previous_relation() {
        let d = describe("A = LOAD 'x' AS (n: int);\nB = FILTER @ BY n > 1;\nDESCRIBE @;");
        assert_eq!(d, ["B: {n: int}"]);
        let e = error("B = FILTER @ BY n > 1;");
        assert!(
            e.message.contains("no relation is defined yet"),
            "{}",
            e.message
        );
    }
}
