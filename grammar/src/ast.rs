//! The spanned abstract syntax tree of a Pig Latin script.
//!
//! The parser builds it; `printer.rs` prints it back as canonical Pig Latin; the planner
//! turns it into a logical plan. Every node carries the [`Span`] it was parsed from.

use crate::span::{Span, Spanned};

/// An alias, field name or other identifier, as written (case-sensitive).
pub type Ident = Spanned<String>;

/// A whole script: its statements in order.
#[derive(Clone, Debug, PartialEq, Default)]
pub struct Script {
    /// The statements, in script order.
    pub statements: Vec<Statement>,
}

/// One statement and where it was written.
pub type Statement = Spanned<StatementKind>;

/// The statements of Pig Latin.
#[derive(Clone, Debug, PartialEq)]
pub enum StatementKind {
    /// `alias = <relational operator>;`
    Assign {
        /// The alias being defined.
        alias: Ident,
        /// The operator that computes it.
        op: Op,
    },
    /// `a, b = my_macro(x, 'y');` or `my_macro(x);` (a macro with no outputs).
    MacroCall {
        /// The aliases the macro's RETURNS bind, in order.
        outputs: Vec<Ident>,
        /// The macro's name.
        name: Ident,
        /// The arguments: aliases, literals or names, as written.
        args: Vec<Spanned<MacroArg>>,
    },
    /// `DEFINE name(params) RETURNS outs { body };`
    MacroDef(MacroDef),
    /// `STORE alias INTO 'path' [USING func(args)];`
    Store {
        /// The relation stored.
        relation: RelRef,
        /// The output location.
        path: Spanned<String>,
        /// The store function, if given.
        func: Option<FuncSpec>,
    },
    /// `DUMP alias;`
    Dump(RelRef),
    /// `DESCRIBE alias;` or `DESCRIBE outer::inner;` (an alias inside a nested FOREACH).
    Describe(Vec<Ident>),
    /// `EXPLAIN [-brief] [-dot] [-out path] [-param ..] [alias];`
    Explain {
        /// The options as written, e.g. `-brief`, `-verbose`.
        options: Vec<Spanned<String>>,
        /// The alias to explain; the whole script when absent.
        alias: Option<Ident>,
    },
    /// `ILLUSTRATE alias;`
    Illustrate(Option<Ident>),
    /// `SPLIT input INTO a IF cond, b IF cond [, c OTHERWISE];`
    Split {
        /// The relation split.
        input: RelRef,
        /// Each output with its condition.
        branches: Vec<(Ident, Expr)>,
        /// The output receiving rows no condition kept.
        otherwise: Option<Ident>,
    },
    /// `DEFINE alias func(args);` or `DEFINE alias `command` options;`
    Define {
        /// The alias being defined.
        alias: Ident,
        /// What it stands for.
        target: DefineTarget,
    },
    /// `REGISTER path [USING lang AS namespace];`
    Register {
        /// The path or glob of the plugin.
        path: Spanned<String>,
        /// `USING lang AS namespace`, for scripting UDFs.
        using: Option<(Ident, Ident)>,
    },
    /// `IMPORT 'file.pig';` (macro definitions from another file)
    Import(Spanned<String>),
    /// `SET key value;`
    Set {
        /// The property name, e.g. `default_parallel` or `job.name`.
        key: Spanned<String>,
        /// The value; absent for `SET` alone (which lists properties).
        value: Option<Spanned<Literal>>,
    },
    /// `fs -cmd args`, `sh cmd args`: the rest of the line as written.
    Fs(Spanned<String>),
    /// `sh cmd args`.
    Sh(Spanned<String>),
    /// `rmf path`: removes a path, no error if it does not exist.
    Rmf(Spanned<String>),
    /// One of Grunt's file commands (`ls`, `cat`, `cd`, `pwd`, `mkdir`, `cp`, `mv`, `rm`,
    /// `copyToLocal`, `copyFromLocal`) with its path arguments, quotes removed.
    FileCommand {
        /// Which command.
        command: Spanned<FileCommand>,
        /// Its path arguments, in order.
        args: Vec<Spanned<String>>,
    },
    /// `exec [-param k=v]... script` (runs a script in its own context).
    Exec(ScriptCall),
    /// `run [-param k=v]... script` (runs a script in this context).
    Run(ScriptCall),
}

/// Grunt's file commands, which Pig allows in scripts as well as in the shell.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum FileCommand {
    /// `ls [path]`: lists a folder, or shows a file.
    Ls,
    /// `cat path...`: prints files (a folder: the files in it).
    Cat,
    /// `cd [path]`: changes the folder relative paths start from.
    Cd,
    /// `pwd`: prints that folder.
    Pwd,
    /// `mkdir path`: creates a folder and its parents.
    Mkdir,
    /// `cp src dst`: copies a file or folder.
    Cp,
    /// `mv src dst`: moves a file or folder.
    Mv,
    /// `rm path...`: removes files or folders; an error if one does not exist.
    Rm,
    /// `copyToLocal src dst`: copies to the local file system.
    CopyToLocal,
    /// `copyFromLocal src dst`: copies from the local file system.
    CopyFromLocal,
}

impl FileCommand {
    /// Every command, for lookups and completion.
    pub const ALL: [FileCommand; 10] = [
        FileCommand::Ls,
        FileCommand::Cat,
        FileCommand::Cd,
        FileCommand::Pwd,
        FileCommand::Mkdir,
        FileCommand::Cp,
        FileCommand::Mv,
        FileCommand::Rm,
        FileCommand::CopyToLocal,
        FileCommand::CopyFromLocal,
    ];

    /// The command as Pig spells it.
    pub fn name(self) -> &'static str {
        match self {
            FileCommand::Ls => "ls",
            FileCommand::Cat => "cat",
            FileCommand::Cd => "cd",
            FileCommand::Pwd => "pwd",
            FileCommand::Mkdir => "mkdir",
            FileCommand::Cp => "cp",
            FileCommand::Mv => "mv",
            FileCommand::Rm => "rm",
            FileCommand::CopyToLocal => "copyToLocal",
            FileCommand::CopyFromLocal => "copyFromLocal",
        }
    }

    /// The command `word` names (case-insensitive, as Pig's keywords are).
    pub fn from_word(word: &str) -> Option<FileCommand> {
        FileCommand::ALL
            .into_iter()
            .find(|c| c.name().eq_ignore_ascii_case(word))
    }
}

/// The arguments of `exec` and `run`.
#[derive(Clone, Debug, PartialEq)]
pub struct ScriptCall {
    /// `-param k=v` pairs, as written.
    pub params: Vec<Spanned<String>>,
    /// `-param_file path` arguments.
    pub param_files: Vec<Spanned<String>>,
    /// The script path; absent for a bare `exec` (runs the batch so far).
    pub script: Option<Spanned<String>>,
}

/// A macro definition; its body is kept as text, expanded at each call.
#[derive(Clone, Debug, PartialEq)]
pub struct MacroDef {
    /// The macro's name.
    pub name: Ident,
    /// Parameter names (used as `$name` in the body).
    pub params: Vec<Ident>,
    /// Aliases the body defines and returns (used as `$name` in the body).
    pub returns: Vec<Ident>,
    /// The body's text between the braces.
    pub body: Spanned<String>,
}

/// One argument of a macro call.
#[derive(Clone, Debug, PartialEq)]
pub enum MacroArg {
    /// An alias or a bare name (field name, number...), as written.
    Name(String),
    /// A quoted string literal's contents.
    String(String),
    /// A number, as written.
    Number(String),
}

/// What a DEFINE binds.
#[derive(Clone, Debug, PartialEq)]
pub enum DefineTarget {
    /// A function with constructor arguments: `DEFINE f org.x.Y('a');`
    Func(FuncSpec),
    /// A streaming command: ``DEFINE c `cmd` INPUT(..) OUTPUT(..) SHIP(..) CACHE(..);``
    Command(StreamCommand),
}

/// A streaming command and its options.
#[derive(Clone, Debug, PartialEq)]
pub struct StreamCommand {
    /// The command line between backticks.
    pub command: Spanned<String>,
    /// `INPUT(stdin USING f)` specs, as written (`stdin`, or a file name) with serializer.
    pub input: Vec<(Spanned<String>, Option<FuncSpec>)>,
    /// `OUTPUT(stdout USING f)` specs.
    pub output: Vec<(Spanned<String>, Option<FuncSpec>)>,
    /// `SHIP('path', ...)` paths.
    pub ship: Vec<Spanned<String>>,
    /// `CACHE('path#name', ...)` paths.
    pub cache: Vec<Spanned<String>>,
    /// `STDERR('dir' LIMIT n)`, as written.
    pub stderr: Option<Spanned<String>>,
}

/// A function reference with constructor arguments: `PigStorage(',')`,
/// `org.apache.pig.builtin.TextLoader()`.
#[derive(Clone, Debug)]
pub struct FuncSpec {
    /// The (possibly dotted) function name.
    pub name: Ident,
    /// String constructor arguments.
    pub args: Vec<Spanned<String>>,
    /// Where the whole spec was written.
    pub span: Span,
}

/// The input of an operator: an alias, or an operator written inline in parentheses.
#[derive(Clone, Debug, PartialEq)]
pub enum RelRef {
    /// A previously defined alias.
    Alias(Ident),
    /// `( <operator> )` inline.
    Inline(Box<Spanned<Op>>),
}

impl RelRef {
    /// Where the reference was written.
    pub fn span(&self) -> Span {
        match self {
            RelRef::Alias(a) => a.span,
            RelRef::Inline(op) => op.span,
        }
    }
}

/// A relational operator (the right-hand side of `alias = ...`).
#[derive(Clone, Debug, PartialEq)]
pub enum Op {
    /// `LOAD 'path' [USING f(args)] [AS schema]`
    Load {
        /// The input location (file, folder or glob).
        path: Spanned<String>,
        /// The load function.
        func: Option<FuncSpec>,
        /// The declared schema.
        schema: Option<SchemaAst>,
    },
    /// `FILTER input BY cond`
    Filter {
        /// Input.
        input: RelRef,
        /// The condition; rows where it is not true are dropped.
        cond: Expr,
    },
    /// `FOREACH input GENERATE ...` or `FOREACH input { nested; GENERATE ...; }`
    Foreach {
        /// Input.
        input: RelRef,
        /// The nested statements (empty for the flat form).
        nested: Vec<NestedStatement>,
        /// The GENERATE list.
        generate: Vec<GenerateItem>,
    },
    /// `GROUP` / `COGROUP` of one or more inputs.
    Group {
        /// Whether the script said COGROUP (only affects printing).
        cogroup: bool,
        /// The inputs with their keys.
        inputs: Vec<GroupInput>,
        /// `USING 'collected'|'merge'`.
        using: Option<Spanned<String>>,
        /// `PARTITION BY class`.
        partition_by: Option<Ident>,
        /// `PARALLEL n`.
        parallel: Option<Spanned<u32>>,
    },
    /// `JOIN a BY k [LEFT|RIGHT|FULL [OUTER]], b BY k ... [USING 'strategy']`
    Join {
        /// The inputs with their keys.
        inputs: Vec<JoinInput>,
        /// Inner or outer.
        kind: JoinKind,
        /// `USING 'replicated'|'skewed'|'merge'|'merge-sparse'`.
        using: Option<Spanned<String>>,
        /// `PARTITION BY class`.
        partition_by: Option<Ident>,
        /// `PARALLEL n`.
        parallel: Option<Spanned<u32>>,
    },
    /// `CROSS a, b, ...`
    Cross {
        /// Inputs.
        inputs: Vec<RelRef>,
        /// `PARTITION BY class`.
        partition_by: Option<Ident>,
        /// `PARALLEL n`.
        parallel: Option<Spanned<u32>>,
    },
    /// `UNION [ONSCHEMA] a, b, ...`
    Union {
        /// Whether ONSCHEMA was given.
        onschema: bool,
        /// Inputs.
        inputs: Vec<RelRef>,
        /// `PARALLEL n`.
        parallel: Option<Spanned<u32>>,
    },
    /// `ORDER input BY key [ASC|DESC], ... [USING f]`
    Order {
        /// Input.
        input: RelRef,
        /// Sort keys.
        keys: Vec<OrderKey>,
        /// A comparator function.
        using: Option<FuncSpec>,
        /// `PARALLEL n`.
        parallel: Option<Spanned<u32>>,
    },
    /// `LIMIT input n` (n may be a scalar expression).
    Limit {
        /// Input.
        input: RelRef,
        /// How many rows.
        count: Expr,
    },
    /// `DISTINCT input`
    Distinct {
        /// Input.
        input: RelRef,
        /// `PARTITION BY class`.
        partition_by: Option<Ident>,
        /// `PARALLEL n`.
        parallel: Option<Spanned<u32>>,
    },
    /// `SAMPLE input fraction`
    Sample {
        /// Input.
        input: RelRef,
        /// The fraction of rows to keep, 0..1.
        fraction: Expr,
    },
    /// `RANK input [BY key [ASC|DESC], ... [DENSE]]`
    Rank {
        /// Input.
        input: RelRef,
        /// Rank keys; empty ranks by position.
        keys: Vec<OrderKey>,
        /// DENSE ranking.
        dense: bool,
    },
    /// `CUBE input BY CUBE(a, b), ROLLUP(c)`
    Cube {
        /// Input.
        input: RelRef,
        /// The CUBE and ROLLUP clauses, in order.
        specs: Vec<CubeSpec>,
    },
    /// `ASSERT input BY cond [, 'message']`
    Assert {
        /// Input.
        input: RelRef,
        /// What must hold for every row.
        cond: Expr,
        /// The message on failure.
        message: Option<Spanned<String>>,
    },
    /// ``STREAM input THROUGH `cmd` | alias [AS schema]``
    Stream {
        /// Input.
        input: RelRef,
        /// The command, inline or a DEFINE'd alias.
        command: StreamThrough,
        /// The output schema.
        schema: Option<SchemaAst>,
    },
    /// `alias` alone, or `(alias)`: a copy of another relation (Pig allows `B = A;`).
    Alias(RelRef),
}

/// What STREAM sends rows through.
#[derive(Clone, Debug, PartialEq)]
pub enum StreamThrough {
    /// A command written inline between backticks.
    Inline(Spanned<String>),
    /// An alias bound by DEFINE.
    Defined(Ident),
}

/// One input of GROUP/COGROUP.
#[derive(Clone, Debug, PartialEq)]
pub struct GroupInput {
    /// The relation.
    pub input: RelRef,
    /// `ALL`, or the key expressions (one, or several in parentheses).
    pub key: GroupKey,
    /// `INNER` (drop groups with no row from this input) or `OUTER` (the default).
    pub inner: bool,
}

/// A GROUP key.
#[derive(Clone, Debug)]
pub enum GroupKey {
    /// `ALL`: one group of every row.
    All(Span),
    /// `BY expr` or `BY (expr, expr, ...)`.
    Exprs(Vec<Expr>),
}

/// One input of JOIN.
#[derive(Clone, Debug, PartialEq)]
pub struct JoinInput {
    /// The relation.
    pub input: RelRef,
    /// The key expressions (one, or several in parentheses).
    pub keys: Vec<Expr>,
}

/// Inner or outer joins.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum JoinKind {
    /// The default.
    Inner,
    /// `LEFT [OUTER]`
    Left,
    /// `RIGHT [OUTER]`
    Right,
    /// `FULL [OUTER]`
    Full,
}

/// A sort key.
#[derive(Clone, Debug, PartialEq)]
pub struct OrderKey {
    /// The key (a field, `$n`, `*` or an expression).
    pub expr: Expr,
    /// DESC.
    pub desc: bool,
}

/// One `CUBE(...)` or `ROLLUP(...)` clause.
#[derive(Clone, Debug)]
pub struct CubeSpec {
    /// ROLLUP rather than CUBE.
    pub rollup: bool,
    /// The dimensions.
    pub dims: Vec<Expr>,
    /// Where it was written.
    pub span: Span,
}

/// A statement inside a nested FOREACH block: `alias = op;`.
#[derive(Clone, Debug)]
pub struct NestedStatement {
    /// The alias defined (local to the block).
    pub alias: Ident,
    /// The nested operator.
    pub op: NestedOp,
    /// Where it was written.
    pub span: Span,
}

/// The operators allowed inside a nested FOREACH block. Their inputs are expressions:
/// a bag field, a projection of one (`A.x`), or an earlier nested alias.
#[derive(Clone, Debug, PartialEq)]
pub enum NestedOp {
    /// `x = expr;`
    Expr(Expr),
    /// `FILTER input BY cond`
    Filter {
        /// Input bag.
        input: Expr,
        /// Condition.
        cond: Expr,
    },
    /// `ORDER input BY keys`
    Order {
        /// Input bag.
        input: Expr,
        /// Sort keys.
        keys: Vec<OrderKey>,
    },
    /// `LIMIT input n`
    Limit {
        /// Input bag.
        input: Expr,
        /// How many rows.
        count: Expr,
    },
    /// `DISTINCT input`
    Distinct {
        /// Input bag.
        input: Expr,
    },
    /// `SAMPLE input fraction`
    Sample {
        /// Input bag.
        input: Expr,
        /// Fraction to keep.
        fraction: Expr,
    },
    /// `CROSS a, b`
    Cross {
        /// Input bags.
        inputs: Vec<Expr>,
    },
    /// `FOREACH input GENERATE ...` (inner FOREACH)
    Foreach {
        /// Input bag.
        input: Expr,
        /// The GENERATE list.
        generate: Vec<GenerateItem>,
    },
}

/// One item of a GENERATE list.
#[derive(Clone, Debug)]
pub struct GenerateItem {
    /// The expression (may be `FLATTEN(expr)`, `*` or a range).
    pub expr: Expr,
    /// `AS name`, `AS (a, b)`, `AS (a:int, b:chararray)`.
    pub alias: Option<Vec<FieldSchema>>,
    /// Where it was written.
    pub span: Span,
}

/// A declared schema: `(a:int, b, c:{t:(x:int)})`.
#[derive(Clone, Debug, PartialEq, Default)]
pub struct SchemaAst {
    /// The fields.
    pub fields: Vec<FieldSchema>,
}

/// One declared field: a name, a type, or both.
#[derive(Clone, Debug)]
pub struct FieldSchema {
    /// The name; absent in type-only schemas such as `(int, chararray)`.
    pub name: Option<Ident>,
    /// The type; absent means bytearray.
    pub ty: Option<TypeAst>,
    /// Where it was written.
    pub span: Span,
}

/// A type as written in a schema or a cast.
#[derive(Clone, Debug, PartialEq)]
pub enum TypeAst {
    /// A scalar type.
    Scalar(ScalarType),
    /// `tuple(...)` or `(...)`.
    Tuple(Option<SchemaAst>),
    /// `bag{...}` or `{...}`; the inner tuple may be named (`{t:(a:int)}`).
    Bag {
        /// The inner tuple's name, if written.
        tuple_name: Option<Ident>,
        /// The inner tuple's fields.
        schema: Option<SchemaAst>,
    },
    /// `map[]` or `map[type]`.
    Map(Option<Box<TypeAst>>),
}

/// The scalar type names.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ScalarType {
    /// `int`
    Int,
    /// `long`
    Long,
    /// `float`
    Float,
    /// `double`
    Double,
    /// `biginteger`
    BigInteger,
    /// `bigdecimal`
    BigDecimal,
    /// `chararray`
    Chararray,
    /// `bytearray`
    Bytearray,
    /// `boolean`
    Boolean,
    /// `datetime`
    Datetime,
}

/// An expression and where it was written.
pub type Expr = Box<Spanned<ExprKind>>;

/// Expressions.
#[derive(Clone, Debug, PartialEq)]
pub enum ExprKind {
    /// A constant.
    Literal(Literal),
    /// A field by name (`a`, `A::a`) or position (`$0`).
    Field(FieldRef),
    /// `*`: every field.
    Star,
    /// `a .. b`, `.. b`, `a ..`: a range of fields.
    Range {
        /// First field (the first of the input when absent).
        from: Option<FieldRef>,
        /// Last field (the last of the input when absent).
        to: Option<FieldRef>,
    },
    /// `expr.field` or `expr.(f1, f2)`: projection out of a tuple or bag; also a relation
    /// used as a scalar (`A.total`).
    Deref {
        /// What is projected from.
        expr: Expr,
        /// The fields projected.
        fields: Vec<FieldRef>,
    },
    /// `expr#'key'`: map lookup.
    MapLookup {
        /// The map.
        expr: Expr,
        /// The key.
        key: String,
    },
    /// A binary operator.
    Binary {
        /// The operator.
        op: BinaryOp,
        /// Left operand.
        left: Expr,
        /// Right operand.
        right: Expr,
    },
    /// `-x` or `NOT x`.
    Unary {
        /// The operator.
        op: UnaryOp,
        /// The operand.
        expr: Expr,
    },
    /// `(type) expr`
    Cast {
        /// Target type.
        ty: TypeAst,
        /// The operand.
        expr: Expr,
    },
    /// `expr IS [NOT] NULL`
    IsNull {
        /// The operand.
        expr: Expr,
        /// `IS NOT NULL`.
        negated: bool,
    },
    /// `expr MATCHES 'regex'` (whole-string Java regex match)
    Matches {
        /// The string.
        expr: Expr,
        /// The pattern.
        pattern: Expr,
    },
    /// `expr IN (a, b, c)`
    In {
        /// The operand.
        expr: Expr,
        /// The candidates.
        list: Vec<Expr>,
    },
    /// `cond ? a : b`
    Bincond {
        /// The condition.
        cond: Expr,
        /// Value when true.
        then: Expr,
        /// Value when false.
        otherwise: Expr,
    },
    /// `CASE [operand] WHEN a THEN b ... [ELSE c] END`
    Case {
        /// The operand of the simple form.
        operand: Option<Expr>,
        /// `WHEN`/`THEN` pairs.
        whens: Vec<(Expr, Expr)>,
        /// `ELSE` value.
        otherwise: Option<Expr>,
    },
    /// `func(args)`; the name may be dotted or a DEFINE'd alias.
    Call {
        /// The function name as written.
        func: Ident,
        /// Arguments.
        args: Vec<Expr>,
    },
    /// `FLATTEN(expr)` (only in GENERATE lists).
    Flatten(Expr),
    /// `(a, b)` tuple constructor (a single parenthesized expression is not a tuple).
    Tuple(Vec<Expr>),
    /// `{(..), (..)}` bag constructor.
    Bag(Vec<Expr>),
    /// `[k#v, ...]` map constructor.
    Map(Vec<(Expr, Expr)>),
}

/// A reference to a field.
#[derive(Clone, Debug, PartialEq)]
pub enum FieldRef {
    /// By name; `A::b` keeps its `::` in the string.
    Name(Ident),
    /// By position: `$3`.
    Position(Spanned<u32>),
}

impl FieldRef {
    /// Where the reference was written.
    pub fn span(&self) -> Span {
        match self {
            FieldRef::Name(n) => n.span,
            FieldRef::Position(p) => p.span,
        }
    }
}

/// Constants.
#[derive(Clone, Debug, PartialEq)]
pub enum Literal {
    /// `null`
    Null,
    /// `true` / `false`
    Boolean(bool),
    /// `42`
    Int(i32),
    /// `42L`
    Long(i64),
    /// `1.5f`
    Float(f32),
    /// `1.5`, `1e10`
    Double(f64),
    /// `123BI`? Pig's biginteger literal, digits as written.
    BigInteger(String),
    /// `1.5BD`? Pig's bigdecimal literal, digits as written.
    BigDecimal(String),
    /// `'text'`, escapes resolved.
    String(String),
}

/// Binary operators.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BinaryOp {
    /// `+`
    Add,
    /// `-`
    Sub,
    /// `*`
    Mul,
    /// `/`
    Div,
    /// `%`
    Mod,
    /// `==`
    Eq,
    /// `!=`
    Ne,
    /// `<`
    Lt,
    /// `<=`
    Le,
    /// `>`
    Gt,
    /// `>=`
    Ge,
    /// `AND`
    And,
    /// `OR`
    Or,
}

/// Unary operators.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum UnaryOp {
    /// `-x`
    Neg,
    /// `NOT x`
    Not,
}

/// Equality ignores the span, like [`Spanned`]'s.
impl PartialEq for FuncSpec {
    fn eq(&self, other: &Self) -> bool {
        self.name == other.name && self.args == other.args
    }
}

/// Equality ignores the span, like [`Spanned`]'s.
impl PartialEq for CubeSpec {
    fn eq(&self, other: &Self) -> bool {
        self.rollup == other.rollup && self.dims == other.dims
    }
}

/// Equality ignores the span, like [`Spanned`]'s.
impl PartialEq for NestedStatement {
    fn eq(&self, other: &Self) -> bool {
        self.alias == other.alias && self.op == other.op
    }
}

/// Equality ignores the span, like [`Spanned`]'s.
impl PartialEq for GenerateItem {
    fn eq(&self, other: &Self) -> bool {
        self.expr == other.expr && self.alias == other.alias
    }
}

/// Equality ignores the span, like [`Spanned`]'s.
impl PartialEq for FieldSchema {
    fn eq(&self, other: &Self) -> bool {
        self.name == other.name && self.ty == other.ty
    }
}

/// Equality ignores the span of `ALL`, like [`Spanned`]'s.
impl PartialEq for GroupKey {
    fn eq(&self, other: &Self) -> bool {
        match (self, other) {
            (GroupKey::All(_), GroupKey::All(_)) => true,
            (GroupKey::Exprs(a), GroupKey::Exprs(b)) => a == b,
            _ => false,
        }
    }
}
