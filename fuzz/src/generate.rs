//! A grammar-aware generator of random, mostly valid Pig Latin scripts.
//!
//! It keeps the schema of every relation it defined, so most field references, types
//! and operators are right and the planner gets deep; a few choices (random built-ins
//! with random arguments, unknown fields, odd casts) are wrong on purpose.

use fastrand::Rng;

/// A generated script with the parameters to substitute into it (`-p name=value`).
#[derive(Clone, Debug)]
pub struct Generated {
    /// The script text.
    pub script: String,
    /// The command-line parameters the script expects.
    pub params: Vec<(String, String)>,
}

#[derive(Clone, Debug)]
enum Ty {
    Int,
    Long,
    Float,
    Double,
    BigInteger,
    BigDecimal,
    Chararray,
    Bytearray,
    Boolean,
    Datetime,
    Tuple(Vec<Field>),
    Bag(Vec<Field>),
    Map(Option<Box<Ty>>),
}

impl Ty {
    fn is_num(&self) -> bool {
        matches!(
            self,
            Ty::Int | Ty::Long | Ty::Float | Ty::Double | Ty::BigInteger | Ty::BigDecimal
        )
    }
}

#[derive(Clone, Debug)]
struct Field {
    name: String,
    ty: Ty,
}

#[derive(Clone, Debug)]
struct Rel {
    alias: String,
    fields: Vec<Field>,
    /// For a GROUP's output: the names of its bag fields (usable in a nested block).
    grouped: bool,
}

/// What kind of value an expression must produce.
#[derive(Clone, Copy, Debug, PartialEq)]
enum Want {
    Num,
    Str,
    Bool,
    Any,
}

const SCALARS: &[&str] = &[
    "int",
    "long",
    "float",
    "double",
    "biginteger",
    "bigdecimal",
    "chararray",
    "bytearray",
    "boolean",
    "datetime",
];

/// The generator's state for one script.
pub struct Generator<'a> {
    rng: &'a mut Rng,
    funcs: &'a [&'static str],
    rels: Vec<Rel>,
    out: String,
    names: usize,
    macros: Vec<&'static str>,
    params: Vec<(String, String)>,
    declared: Vec<String>,
}

impl<'a> Generator<'a> {
    /// A generator drawing from `rng`, calling built-ins from `funcs`.
    pub fn new(rng: &'a mut Rng, funcs: &'a [&'static str]) -> Self {
        Generator {
            rng,
            funcs,
            rels: Vec::new(),
            out: String::new(),
            names: 0,
            macros: Vec::new(),
            params: Vec::new(),
            declared: Vec::new(),
        }
    }

    /// Generates one script of up to `max_statements` statements.
    pub fn script(mut self, max_statements: usize) -> Generated {
        self.preamble();
        let n = 1 + self.rng.usize(..max_statements.max(1));
        for _ in 0..n {
            self.statement();
            if self.rng.u8(..20) == 0 {
                self.comment();
            }
        }
        // Make sure something is planned all the way to a sink.
        if let Some(r) = self.pick_rel() {
            let alias = r.alias.clone();
            let k = self.kw("STORE");
            let into = self.kw("INTO");
            self.line(&format!("{k} {alias} {into} '$out/final';"));
        }
        Generated {
            script: self.out,
            params: self.params,
        }
    }

    // ------------------------------------------------------------------ helpers

    fn kw(&mut self, k: &str) -> String {
        match self.rng.u8(..8) {
            0 => k.to_lowercase(),
            1 => {
                let mut s = String::new();
                for c in k.chars() {
                    if self.rng.bool() {
                        s.extend(c.to_lowercase());
                    } else {
                        s.push(c);
                    }
                }
                s
            }
            _ => k.to_string(),
        }
    }

    fn line(&mut self, s: &str) {
        self.out.push_str(s);
        self.out.push('\n');
    }

    fn fresh(&mut self, prefix: &str) -> String {
        self.names += 1;
        format!("{prefix}{}", self.names)
    }

    fn comment(&mut self) {
        if self.rng.bool() {
            self.line("-- a comment; with DUMP keywords ' and \"");
        } else {
            self.line("/* block\n comment */");
        }
    }

    fn pick_rel(&mut self) -> Option<Rel> {
        if self.rels.is_empty() {
            None
        } else {
            // Prefer recent relations: they are the deepest plans.
            let n = self.rels.len();
            let i = if self.rng.bool() {
                n - 1 - self.rng.usize(..n.min(3))
            } else {
                self.rng.usize(..n)
            };
            Some(self.rels[i].clone())
        }
    }

    fn define(&mut self, alias: String, fields: Vec<Field>, grouped: bool) {
        self.rels.retain(|r| r.alias != alias);
        self.rels.push(Rel {
            alias,
            fields,
            grouped,
        });
    }

    // ------------------------------------------------------------------ types and schemas

    fn ty(&mut self, depth: usize) -> Ty {
        let roll = self.rng.u8(..20);
        if depth < 3 && roll >= 16 {
            return match roll {
                16 => {
                    let n = 1 + self.rng.usize(..3);
                    Ty::Tuple(self.fields(depth + 1, n))
                }
                17 | 18 => {
                    let n = 1 + self.rng.usize(..3);
                    Ty::Bag(self.fields(depth + 1, n))
                }
                _ => {
                    if self.rng.bool() {
                        Ty::Map(None)
                    } else {
                        Ty::Map(Some(Box::new(self.ty(depth + 1))))
                    }
                }
            };
        }
        match self.rng.u8(..12) {
            0 | 1 => Ty::Int,
            2 => Ty::Long,
            3 => Ty::Float,
            4 => Ty::Double,
            5 => Ty::BigInteger,
            6 => Ty::BigDecimal,
            7 | 8 => Ty::Chararray,
            9 => Ty::Bytearray,
            10 => Ty::Boolean,
            _ => Ty::Datetime,
        }
    }

    fn fields(&mut self, depth: usize, n: usize) -> Vec<Field> {
        (0..n)
            .map(|_| {
                let name = self.fresh("f");
                let ty = self.ty(depth);
                Field { name, ty }
            })
            .collect()
    }

    fn ty_text(&mut self, ty: &Ty) -> String {
        match ty {
            Ty::Int => "int".into(),
            Ty::Long => "long".into(),
            Ty::Float => "float".into(),
            Ty::Double => "double".into(),
            Ty::BigInteger => "biginteger".into(),
            Ty::BigDecimal => "bigdecimal".into(),
            Ty::Chararray => "chararray".into(),
            Ty::Bytearray => "bytearray".into(),
            Ty::Boolean => "boolean".into(),
            Ty::Datetime => "datetime".into(),
            Ty::Tuple(f) => {
                let inner = self.schema_text(f);
                if self.rng.bool() {
                    format!("({inner})")
                } else {
                    format!("tuple({inner})")
                }
            }
            Ty::Bag(f) => {
                let inner = self.schema_text(f);
                match self.rng.u8(..3) {
                    0 => format!("{{({inner})}}"),
                    1 => format!("bag{{t:({inner})}}"),
                    _ => format!("{{t:tuple({inner})}}"),
                }
            }
            Ty::Map(None) => "map[]".into(),
            Ty::Map(Some(t)) => format!("map[{}]", self.ty_text(t)),
        }
    }

    fn schema_text(&mut self, fields: &[Field]) -> String {
        let parts: Vec<String> = fields
            .iter()
            .map(|f| format!("{}:{}", f.name, self.ty_text(&f.ty)))
            .collect();
        parts.join(", ")
    }

    // ------------------------------------------------------------------ expressions

    fn literal(&mut self, want: Want) -> String {
        match want {
            Want::Num => match self.rng.u8(..8) {
                0 => self.rng.i32(-5..1000).to_string(),
                1 => format!("{}L", self.rng.i64(..)),
                2 => format!("{}F", self.rng.f32() * 100.0),
                3 => format!("{:e}", self.rng.f64() * 1e10),
                4 => format!("{}BI", self.rng.u64(..)),
                5 => format!("{}.{}BD", self.rng.u32(..), self.rng.u32(..)),
                6 => [
                    "2147483647",
                    "-2147483647",
                    "0",
                    "-0.0",
                    "1e308",
                    "9223372036854775807L",
                ][self.rng.usize(..6)]
                .to_string(),
                _ => self.rng.u8(..10).to_string(),
            },
            Want::Str => [
                "'abc'",
                "''",
                "'a\\'b'",
                "'\\u00e9t\\u00e9'",
                "'tab\\there'",
                "'日本語'",
                "'%'",
                "'[a-z]+.*'",
                "'2012-01-01T00:00:00.000Z'",
            ][self.rng.usize(..9)]
            .to_string(),
            Want::Bool => if self.rng.bool() { "true" } else { "false" }.to_string(),
            Want::Any => {
                if self.rng.u8(..6) == 0 {
                    "null".to_string()
                } else {
                    let w = [Want::Num, Want::Str, Want::Bool][self.rng.usize(..3)];
                    self.literal(w)
                }
            }
        }
    }

    fn field_ref(&mut self, f: &Field, pos: usize) -> String {
        if self.rng.u8(..8) == 0 {
            format!("${pos}")
        } else {
            f.name.clone()
        }
    }

    fn pick_field(&mut self, fields: &[Field], pred: impl Fn(&Ty) -> bool) -> Option<String> {
        let cands: Vec<(usize, &Field)> = fields
            .iter()
            .enumerate()
            .filter(|(_, f)| pred(&f.ty))
            .collect();
        if cands.is_empty() {
            return None;
        }
        let (i, f) = cands[self.rng.usize(..cands.len())];
        let f = f.clone();
        Some(self.field_ref(&f, i))
    }

    fn call(&mut self, fields: &[Field], depth: usize) -> String {
        let name = self.funcs[self.rng.usize(..self.funcs.len())];
        let n = self.rng.usize(..4);
        let args: Vec<String> = (0..n)
            .map(|_| self.expr(Want::Any, fields, depth + 1))
            .collect();
        format!("{name}({})", args.join(", "))
    }

    fn expr(&mut self, want: Want, fields: &[Field], depth: usize) -> String {
        if depth > 5 || self.rng.u8(..4) == 0 {
            return self.leaf(want, fields);
        }
        if self.rng.u8(..30) == 0 {
            return self.call(fields, depth);
        }
        let d = depth + 1;
        match want {
            Want::Num => match self.rng.u8(..11) {
                0..=2 => {
                    let op = ["+", "-", "*", "/", "%"][self.rng.usize(..5)];
                    let a = self.expr(Want::Num, fields, d);
                    let b = self.expr(Want::Num, fields, d);
                    format!("({a} {op} {b})")
                }
                3 => format!("-({})", self.expr(Want::Num, fields, d)),
                4 => {
                    let t = ["int", "long", "double", "float", "bigdecimal", "biginteger"]
                        [self.rng.usize(..6)];
                    format!("({t})({})", self.expr(Want::Any, fields, d))
                }
                5 => {
                    let c = self.expr(Want::Bool, fields, d);
                    let a = self.expr(Want::Num, fields, d);
                    let b = self.expr(Want::Num, fields, d);
                    format!("({c} ? {a} : {b})")
                }
                6 => {
                    let f = ["ABS", "ROUND", "FLOOR", "CEIL", "SQRT", "LOG", "EXP"]
                        [self.rng.usize(..7)];
                    format!("{f}({})", self.expr(Want::Num, fields, d))
                }
                7 => format!("SIZE({})", self.expr(Want::Str, fields, d)),
                8 => {
                    let c = self.expr(Want::Bool, fields, d);
                    let a = self.expr(Want::Num, fields, d);
                    let b = self.expr(Want::Num, fields, d);
                    format!("CASE WHEN {c} THEN {a} ELSE {b} END")
                }
                9 => {
                    if let Some(b) = self.pick_field(fields, |t| matches!(t, Ty::Bag(_))) {
                        let f = ["COUNT", "COUNT_STAR", "SIZE", "IsEmpty"][self.rng.usize(..3)];
                        format!("{f}({b})")
                    } else {
                        self.leaf(Want::Num, fields)
                    }
                }
                _ => self
                    .deref(fields, Want::Num)
                    .unwrap_or_else(|| self.leaf(Want::Num, fields)),
            },
            Want::Str => match self.rng.u8(..6) {
                0 => {
                    let a = self.expr(Want::Str, fields, d);
                    let b = self.expr(Want::Str, fields, d);
                    format!("CONCAT({a}, {b})")
                }
                1 => {
                    let f = ["UPPER", "LOWER", "TRIM", "LTRIM", "RTRIM"][self.rng.usize(..5)];
                    format!("{f}({})", self.expr(Want::Str, fields, d))
                }
                2 => format!("(chararray)({})", self.expr(Want::Any, fields, d)),
                3 => {
                    let s = self.expr(Want::Str, fields, d);
                    format!("SUBSTRING({s}, 0, {})", self.rng.u8(..5))
                }
                4 => {
                    let c = self.expr(Want::Bool, fields, d);
                    let a = self.expr(Want::Str, fields, d);
                    let b = self.expr(Want::Str, fields, d);
                    format!("({c} ? {a} : {b})")
                }
                _ => {
                    if let Some(m) = self.pick_field(fields, |t| matches!(t, Ty::Map(_))) {
                        format!("(chararray){m}#'k'")
                    } else {
                        self.leaf(Want::Str, fields)
                    }
                }
            },
            Want::Bool => match self.rng.u8(..9) {
                0 | 1 => {
                    let op = ["==", "!=", "<", "<=", ">", ">="][self.rng.usize(..6)];
                    let a = self.expr(Want::Num, fields, d);
                    let b = self.expr(Want::Num, fields, d);
                    format!("{a} {op} {b}")
                }
                2 => {
                    let op = ["==", "!=", "<", ">"][self.rng.usize(..4)];
                    let a = self.expr(Want::Str, fields, d);
                    let b = self.expr(Want::Str, fields, d);
                    format!("{a} {op} {b}")
                }
                3 => {
                    let op = [" AND ", " OR "][self.rng.usize(..2)];
                    let a = self.expr(Want::Bool, fields, d);
                    let b = self.expr(Want::Bool, fields, d);
                    format!("({a}{op}{b})")
                }
                4 => format!("NOT ({})", self.expr(Want::Bool, fields, d)),
                5 => {
                    let a = self.expr(Want::Any, fields, d);
                    let not = if self.rng.bool() { " NOT" } else { "" };
                    format!("{a} IS{not} NULL")
                }
                6 => {
                    let a = self.expr(Want::Str, fields, d);
                    format!("{a} MATCHES '.*a[0-9]?'")
                }
                7 => {
                    let a = self.expr(Want::Num, fields, d);
                    let n = 1 + self.rng.usize(..4);
                    let items: Vec<String> = (0..n).map(|_| self.literal(Want::Num)).collect();
                    format!("{a} IN ({})", items.join(", "))
                }
                _ => {
                    let f = ["IsEmpty", "STARTSWITH", "ENDSWITH", "EqualsIgnoreCase"]
                        [self.rng.usize(..4)];
                    if f == "IsEmpty" {
                        match self.pick_field(fields, |t| matches!(t, Ty::Bag(_) | Ty::Map(_))) {
                            Some(b) => format!("IsEmpty({b})"),
                            None => self.leaf(Want::Bool, fields),
                        }
                    } else {
                        let a = self.expr(Want::Str, fields, d);
                        let b = self.expr(Want::Str, fields, d);
                        format!("{f}({a}, {b})")
                    }
                }
            },
            Want::Any => match self.rng.u8(..8) {
                0 => {
                    let n = self.rng.usize(..4);
                    let items: Vec<String> =
                        (0..n).map(|_| self.expr(Want::Any, fields, d)).collect();
                    format!("TOTUPLE({})", items.join(", "))
                }
                1 => {
                    let n = 1 + self.rng.usize(..3);
                    let items: Vec<String> =
                        (0..n).map(|_| self.expr(Want::Any, fields, d)).collect();
                    format!("TOBAG({})", items.join(", "))
                }
                2 => {
                    let v = self.expr(Want::Any, fields, d);
                    format!("TOMAP('k', {v})")
                }
                3 => {
                    let a = self.expr(Want::Num, fields, d);
                    let b = self.expr(Want::Str, fields, d);
                    format!("({a}, {b})")
                }
                4 => {
                    let a = self.expr(Want::Any, fields, d);
                    format!("{{({a})}}")
                }
                5 => {
                    let a = self.expr(Want::Any, fields, d);
                    format!("['k'#{a}]")
                }
                _ => {
                    let w = [Want::Num, Want::Str, Want::Bool][self.rng.usize(..3)];
                    self.expr(w, fields, d)
                }
            },
        }
    }

    /// `t.f` on a tuple field, `m#'k'` on a map, or `b.f` on a bag.
    fn deref(&mut self, fields: &[Field], want: Want) -> Option<String> {
        let cands: Vec<&Field> = fields
            .iter()
            .filter(|f| matches!(f.ty, Ty::Tuple(_) | Ty::Map(_)))
            .collect();
        if cands.is_empty() {
            return None;
        }
        let f = cands[self.rng.usize(..cands.len())].clone();
        match &f.ty {
            Ty::Tuple(inner) => {
                let inner = inner.clone();
                let g = &inner[self.rng.usize(..inner.len())];
                if want == Want::Num && !g.ty.is_num() {
                    Some(format!("(double){}.{}", f.name, g.name))
                } else {
                    Some(format!("{}.{}", f.name, g.name))
                }
            }
            _ => Some(format!("(long){}#'key'", f.name)),
        }
    }

    fn leaf(&mut self, want: Want, fields: &[Field]) -> String {
        if self.rng.u8(..3) != 0 {
            let found = match want {
                Want::Num => self.pick_field(fields, Ty::is_num),
                Want::Str => self.pick_field(fields, |t| matches!(t, Ty::Chararray)),
                Want::Bool => self.pick_field(fields, |t| matches!(t, Ty::Boolean)),
                Want::Any => self.pick_field(fields, |_| true),
            };
            if let Some(f) = found {
                return f;
            }
            // A bytearray field, cast to what is wanted.
            if let Some(f) = self.pick_field(fields, |t| matches!(t, Ty::Bytearray)) {
                return match want {
                    Want::Num => format!("(int){f}"),
                    Want::Str => format!("(chararray){f}"),
                    Want::Bool => format!("(boolean){f}"),
                    Want::Any => f,
                };
            }
        }
        if self.rng.u8(..200) == 0 {
            // Wrong on purpose: an unknown field.
            return "no_such_field".to_string();
        }
        self.literal(want)
    }

    // ------------------------------------------------------------------ statements

    fn preamble(&mut self) {
        self.params.push(("in".into(), "data/input".into()));
        self.params.push(("out".into(), "out/fuzz".into()));
        if self.rng.bool() {
            let k = if self.rng.bool() {
                "%default"
            } else {
                "%declare"
            };
            let n = 1 + self.rng.u8(..50);
            self.line(&format!("{k} N '{n}'"));
            self.declared.push("N".into());
        }
        if self.rng.u8(..3) == 0 {
            self.line(
                "DEFINE keep_pos(rel, col) RETURNS res {\n  $res = FILTER $rel BY $col > 0;\n};",
            );
            self.macros.push("keep_pos");
        }
        if self.rng.u8(..3) == 0 {
            self.line(
                "DEFINE dedup(rel) RETURNS res { tmp = DISTINCT $rel; $res = LIMIT tmp 100; };",
            );
            self.macros.push("dedup");
        }
        if self.rng.u8(..4) == 0 {
            self.line("SET default_parallel 4;");
        }
        if self.rng.u8(..8) == 0 {
            self.line("DEFINE MyUpper UPPER();");
        }
        self.load();
    }

    fn load(&mut self) {
        let alias = self.fresh("L");
        let n = 1 + self.rng.usize(..6);
        let fields = self.fields(0, n);
        let schema = self.schema_text(&fields);
        let using = match self.rng.u8(..5) {
            0 => " USING PigStorage(',')".to_string(),
            1 => " USING PigStorage()".to_string(),
            2 => " USING BinStorage()".to_string(),
            _ => String::new(),
        };
        let load = self.kw("LOAD");
        let as_ = self.kw("AS");
        if self.rng.u8(..10) == 0 {
            // No schema: fields are positional bytearrays.
            self.line(&format!("{alias} = {load} '$in/{alias}'{using};"));
            let fields = (0..3)
                .map(|i| Field {
                    name: format!("${i}"),
                    ty: Ty::Bytearray,
                })
                .collect();
            self.define(alias, fields, false);
            return;
        }
        self.line(&format!(
            "{alias} = {load} '$in/{alias}'{using} {as_} ({schema});"
        ));
        self.define(alias, fields, false);
    }

    fn statement(&mut self) {
        let Some(r) = self.pick_rel() else {
            self.load();
            return;
        };
        match self.rng.u8(..40) {
            30..=33 => self.filter(&r),
            34..=37 => self.foreach(&r),
            38 | 39 => self.group(&r),
            0 | 1 => self.load(),
            2..=4 => self.filter(&r),
            5..=8 => self.foreach(&r),
            9 | 10 => self.group(&r),
            11 => self.cogroup(&r),
            12 | 13 => self.join(&r),
            14 => self.simple(&r),
            15 => self.union(&r),
            16 => self.split(&r),
            17 | 18 => self.nested(&r),
            19 => self.cube(&r),
            20 => self.rank(&r),
            21 => self.macro_call(&r),
            22 => self.cross(&r),
            23 => {
                let a = self.fresh("S");
                let cond = self.expr(Want::Bool, &r.fields, 0);
                self.line(&format!("{a} = ASSERT {} BY {cond}, 'must hold';", r.alias));
                self.define(a, r.fields.clone(), r.grouped);
            }
            24 => {
                let d = self.kw("DESCRIBE");
                self.line(&format!("{d} {};", r.alias));
            }
            25 => {
                let e = self.kw("EXPLAIN");
                self.line(&format!("{e} {};", r.alias));
            }
            26 => {
                let d = self.kw("DUMP");
                self.line(&format!("{d} {};", r.alias));
            }
            27 => {
                let s = self.kw("STORE");
                let using = if self.rng.bool() {
                    " USING PigStorage('|')"
                } else {
                    ""
                };
                self.line(&format!("{s} {} INTO '$out/{}'{using};", r.alias, r.alias));
            }
            28 => {
                let cmd = [
                    "rmf $out/x",
                    "fs -ls $in",
                    "SET job.name 'fuzz'",
                    "REGISTER 'x.jar'",
                ][self.rng.usize(..4)];
                let sep = if cmd.starts_with("rmf") || cmd.starts_with("fs") {
                    ""
                } else {
                    ";"
                };
                self.line(&format!("{cmd}{sep}"));
            }
            _ => {
                let a = self.fresh("I");
                let inner = self.expr(Want::Bool, &r.fields, 0);
                // An inline operator as input.
                self.line(&format!("{a} = LIMIT (FILTER {} BY {inner}) 5;", r.alias));
                self.define(a, r.fields.clone(), false);
            }
        }
    }

    fn filter(&mut self, r: &Rel) {
        let a = self.fresh("F");
        let cond = self.expr(Want::Bool, &r.fields, 0);
        let kw = self.kw("FILTER");
        self.line(&format!("{a} = {kw} {} BY {cond};", r.alias));
        self.define(a, r.fields.clone(), r.grouped);
    }

    /// One GENERATE list over `fields`; returns the text and the output schema.
    fn gen_list(&mut self, fields: &[Field], allow_flatten: bool) -> (String, Vec<Field>) {
        let mut items = Vec::new();
        let mut out = Vec::new();
        let n = 1 + self.rng.usize(..5);
        for _ in 0..n {
            let roll = self.rng.u8(..10);
            if roll < 3 && !fields.is_empty() {
                let i = self.rng.usize(..fields.len());
                let f = fields[i].clone();
                let name = self.fresh("g");
                let r = self.field_ref(&f, i);
                items.push(format!("{r} AS {name}"));
                out.push(Field { name, ty: f.ty });
            } else if roll == 3 && allow_flatten {
                if let Some(b) = fields
                    .iter()
                    .find(|f| matches!(f.ty, Ty::Bag(_) | Ty::Tuple(_)))
                    .cloned()
                {
                    let (Ty::Bag(inner) | Ty::Tuple(inner)) = &b.ty else {
                        unreachable!()
                    };
                    let names: Vec<String> = inner.iter().map(|_| self.fresh("x")).collect();
                    for (nm, f) in names.iter().zip(inner) {
                        out.push(Field {
                            name: nm.clone(),
                            ty: f.ty.clone(),
                        });
                    }
                    items.push(format!("FLATTEN({}) AS ({})", b.name, names.join(", ")));
                }
            } else if roll == 4 {
                items.push("*".to_string());
                for f in fields {
                    if out.iter().all(|o: &Field| o.name != f.name) {
                        out.push(f.clone());
                    }
                }
            } else {
                let want = [Want::Num, Want::Str, Want::Bool, Want::Any][self.rng.usize(..4)];
                let e = self.expr(want, fields, 0);
                let name = self.fresh("e");
                let ty = match want {
                    Want::Num => Ty::Double,
                    Want::Str => Ty::Chararray,
                    Want::Bool => Ty::Boolean,
                    Want::Any => Ty::Bytearray,
                };
                if want == Want::Num && self.rng.bool() {
                    items.push(format!("(double)({e}) AS {name}:double"));
                } else {
                    items.push(format!("{e} AS {name}"));
                }
                out.push(Field { name, ty });
            }
        }
        if items.is_empty() {
            let name = self.fresh("e");
            items.push(format!("1 AS {name}"));
            out.push(Field { name, ty: Ty::Int });
        }
        (items.join(", "), out)
    }

    fn foreach(&mut self, r: &Rel) {
        let a = self.fresh("G");
        let (list, out) = self.gen_list(&r.fields, true);
        let kw = self.kw("FOREACH");
        let generate = self.kw("GENERATE");
        self.line(&format!("{a} = {kw} {} {generate} {list};", r.alias));
        self.define(a, out, false);
    }

    fn key(&mut self, fields: &[Field]) -> (String, Ty) {
        let scalar: Vec<&Field> = fields
            .iter()
            .filter(|f| !matches!(f.ty, Ty::Bag(_) | Ty::Map(_) | Ty::Tuple(_)))
            .collect();
        if scalar.is_empty() || self.rng.u8(..8) == 0 {
            let e = self.expr(Want::Str, fields, 3);
            return (e, Ty::Chararray);
        }
        let f = scalar[self.rng.usize(..scalar.len())].clone();
        (f.name, f.ty)
    }

    fn group(&mut self, r: &Rel) {
        let a = self.fresh("Gr");
        let gk = self.kw("GROUP");
        let (by, key_ty) = match self.rng.u8(..4) {
            0 => ("ALL".to_string(), Ty::Chararray),
            1 => {
                let (k1, t1) = self.key(&r.fields);
                let (k2, t2) = self.key(&r.fields);
                (
                    format!("BY ({k1}, {k2})"),
                    Ty::Tuple(vec![
                        Field {
                            name: "k1".into(),
                            ty: t1,
                        },
                        Field {
                            name: "k2".into(),
                            ty: t2,
                        },
                    ]),
                )
            }
            _ => {
                let (k, t) = self.key(&r.fields);
                (format!("BY {k}"), t)
            }
        };
        let par = if self.rng.u8(..5) == 0 {
            " PARALLEL 3"
        } else {
            ""
        };
        self.line(&format!("{a} = {gk} {} {by}{par};", r.alias));
        let fields = vec![
            Field {
                name: "group".into(),
                ty: key_ty,
            },
            Field {
                name: r.alias.clone(),
                ty: Ty::Bag(r.fields.clone()),
            },
        ];
        self.define(a, fields, true);
    }

    fn cogroup(&mut self, r: &Rel) {
        let Some(s) = self.pick_rel() else { return };
        if s.alias == r.alias {
            return self.group(r);
        }
        let a = self.fresh("Co");
        let (k1, t) = self.key(&r.fields);
        let (k2, _) = self.key(&s.fields);
        let inner = if self.rng.bool() { " INNER" } else { "" };
        self.line(&format!(
            "{a} = COGROUP {} BY {k1}{inner}, {} BY {k2};",
            r.alias, s.alias
        ));
        let fields = vec![
            Field {
                name: "group".into(),
                ty: t,
            },
            Field {
                name: r.alias.clone(),
                ty: Ty::Bag(r.fields.clone()),
            },
            Field {
                name: s.alias.clone(),
                ty: Ty::Bag(s.fields.clone()),
            },
        ];
        self.define(a, fields, true);
    }

    fn prefixed(r: &Rel) -> Vec<Field> {
        r.fields
            .iter()
            .map(|f| Field {
                name: if f.name.starts_with('$') {
                    f.name.clone()
                } else {
                    format!("{}::{}", r.alias, f.name)
                },
                ty: f.ty.clone(),
            })
            .collect()
    }

    fn join(&mut self, r: &Rel) {
        let Some(s) = self.pick_rel() else { return };
        if s.alias == r.alias {
            return self.filter(r);
        }
        let a = self.fresh("J");
        let (k1, _) = self.key(&r.fields);
        let (k2, _) = self.key(&s.fields);
        let kind = ["", " LEFT OUTER", " RIGHT", " FULL OUTER", " LEFT"][self.rng.usize(..5)];
        let using = match self.rng.u8(..6) {
            0 => " USING 'replicated'",
            1 => " USING 'skewed'",
            2 => " USING 'merge'",
            _ => "",
        };
        self.line(&format!(
            "{a} = JOIN {} BY {k1}{kind}, {} BY {k2}{using};",
            r.alias, s.alias
        ));
        let mut fields = Self::prefixed(r);
        fields.extend(Self::prefixed(&s));
        self.define(a, fields, false);
    }

    fn cross(&mut self, r: &Rel) {
        let Some(s) = self.pick_rel() else { return };
        if s.alias == r.alias {
            return self.simple(r);
        }
        let a = self.fresh("X");
        self.line(&format!("{a} = CROSS {}, {};", r.alias, s.alias));
        let mut fields = Self::prefixed(r);
        fields.extend(Self::prefixed(&s));
        self.define(a, fields, false);
    }

    fn simple(&mut self, r: &Rel) {
        let a = self.fresh("O");
        let text = match self.rng.u8(..5) {
            0 => {
                let (k, _) = self.key(&r.fields);
                let dir = ["", " ASC", " DESC"][self.rng.usize(..3)];
                format!("ORDER {} BY {k}{dir}", r.alias)
            }
            1 => {
                let n = if self.declared.is_empty() {
                    self.rng.u8(..100).to_string()
                } else {
                    "$N".to_string()
                };
                format!("LIMIT {} {n}", r.alias)
            }
            2 => format!("DISTINCT {}", r.alias),
            3 => format!("SAMPLE {} {}", r.alias, self.rng.f64()),
            _ => format!("ORDER {} BY *", r.alias),
        };
        self.line(&format!("{a} = {text};"));
        self.define(a, r.fields.clone(), r.grouped);
    }

    fn union(&mut self, r: &Rel) {
        let a = self.fresh("U");
        if self.rng.bool() {
            self.line(&format!("{a} = UNION {}, {};", r.alias, r.alias));
            self.define(a, r.fields.clone(), false);
        } else if let Some(s) = self.pick_rel() {
            self.line(&format!("{a} = UNION ONSCHEMA {}, {};", r.alias, s.alias));
            let mut fields = r.fields.clone();
            for f in s.fields {
                if fields.iter().all(|g| g.name != f.name) {
                    fields.push(f);
                }
            }
            fields.retain(|f| !f.name.starts_with('$'));
            self.define(a, fields, false);
        }
    }

    fn split(&mut self, r: &Rel) {
        let a = self.fresh("Sa");
        let b = self.fresh("Sb");
        let cond = self.expr(Want::Bool, &r.fields, 1);
        if self.rng.bool() {
            self.line(&format!(
                "SPLIT {} INTO {a} IF {cond}, {b} OTHERWISE;",
                r.alias
            ));
        } else {
            let c2 = self.expr(Want::Bool, &r.fields, 1);
            self.line(&format!(
                "SPLIT {} INTO {a} IF {cond}, {b} IF {c2};",
                r.alias
            ));
        }
        self.define(a, r.fields.clone(), r.grouped);
        self.define(b, r.fields.clone(), r.grouped);
    }

    fn nested(&mut self, r: &Rel) {
        let bag = r.fields.iter().find_map(|f| match &f.ty {
            Ty::Bag(inner) => Some((f.name.clone(), inner.clone())),
            _ => None,
        });
        let Some((bag, inner)) = bag else {
            return self.foreach(r);
        };
        let a = self.fresh("N");
        let mut body = Vec::new();
        let mut cur = bag.clone();
        let steps = self.rng.usize(..4);
        for _ in 0..steps {
            let n = self.fresh("n");
            let text = match self.rng.u8(..5) {
                0 => format!("FILTER {cur} BY {}", self.expr(Want::Bool, &inner, 2)),
                1 => {
                    let (k, _) = self.key(&inner);
                    format!("ORDER {cur} BY {k} DESC")
                }
                2 => format!("LIMIT {cur} {}", self.rng.u8(..10)),
                3 => format!("DISTINCT {cur}"),
                _ => format!("SAMPLE {cur} 0.5"),
            };
            body.push(format!("    {n} = {text};"));
            cur = n;
        }
        let mut items = vec!["group".to_string()];
        match self.rng.u8(..4) {
            0 => items.push(format!("COUNT({cur}) AS c")),
            1 => items.push(format!("FLATTEN({cur})")),
            2 => {
                if let Some(f) = inner.iter().find(|f| f.ty.is_num()) {
                    items.push(format!("SUM({cur}.{}) AS s", f.name));
                    items.push(format!("MAX({cur}.{}) AS m", f.name));
                    items.push(format!("AVG({cur}.{}) AS av", f.name));
                }
            }
            _ => items.push(format!("{cur} AS b")),
        }
        let sep = if self.rng.bool() { ";" } else { "" };
        let close = if self.rng.bool() { ";" } else { "" };
        self.line(&format!(
            "{a} = FOREACH {} {{\n{}\n    GENERATE {}{sep}\n}}{close}",
            r.alias,
            body.join("\n"),
            items.join(", ")
        ));
        if close.is_empty() {
            self.line(";");
        }
        // The output schema is not tracked precisely: keep only the group key.
        let group = r.fields.first().cloned().unwrap_or(Field {
            name: "group".into(),
            ty: Ty::Chararray,
        });
        self.define(a, vec![group], false);
    }

    fn cube(&mut self, r: &Rel) {
        let a = self.fresh("Cu");
        let (k1, _) = self.key(&r.fields);
        let (k2, _) = self.key(&r.fields);
        let f = if self.rng.bool() { "CUBE" } else { "ROLLUP" };
        self.line(&format!("{a} = CUBE {} BY {f}({k1}, {k2});", r.alias));
        let fields = vec![
            Field {
                name: "group".into(),
                ty: Ty::Tuple(vec![
                    Field {
                        name: "k1".into(),
                        ty: Ty::Bytearray,
                    },
                    Field {
                        name: "k2".into(),
                        ty: Ty::Bytearray,
                    },
                ]),
            },
            Field {
                name: "cube".into(),
                ty: Ty::Bag(r.fields.clone()),
            },
        ];
        self.define(a, fields, true);
    }

    fn rank(&mut self, r: &Rel) {
        let a = self.fresh("R");
        if self.rng.bool() {
            self.line(&format!("{a} = RANK {};", r.alias));
        } else {
            let (k, _) = self.key(&r.fields);
            let dense = if self.rng.bool() { " DENSE" } else { "" };
            self.line(&format!("{a} = RANK {} BY {k} DESC{dense};", r.alias));
        }
        let mut fields = vec![Field {
            name: format!("rank_{}", r.alias),
            ty: Ty::Long,
        }];
        fields.extend(r.fields.iter().cloned());
        self.define(a, fields, false);
    }

    fn macro_call(&mut self, r: &Rel) {
        if self.macros.is_empty() {
            return self.filter(r);
        }
        let m = self.macros[self.rng.usize(..self.macros.len())];
        let a = self.fresh("M");
        if m == "keep_pos" {
            let Some(f) = r
                .fields
                .iter()
                .find(|f| f.ty.is_num() && !f.name.contains("::"))
            else {
                return self.filter(r);
            };
            self.line(&format!("{a} = keep_pos({}, {});", r.alias, f.name));
        } else {
            self.line(&format!("{a} = dedup({});", r.alias));
        }
        self.define(a, r.fields.clone(), r.grouped);
    }
}

/// Every scalar type name, for mutations.
pub fn scalar_type_names() -> &'static [&'static str] {
    SCALARS
}
