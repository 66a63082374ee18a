//! An example pigrs plugin, `libmyudfs.so`: one function of each kind that plugin ABI v1
//! has, called by the tests in `tests/plugins.rs` and shown in the README.
//!
//! ```text
//! REGISTER 'target/release/libmyudfs.so';
//! DEFINE Pad myudfs.Pad('*', '6');
//! B = FILTER A BY myudfs.IsGood(name);
//! C = FOREACH B GENERATE myudfs.Reverse(name), myudfs.Add(x, y), Pad(name);
//! D = FOREACH (GROUP A BY k) GENERATE group, myudfs.SumSquares(A.x);
//! E = FOREACH (GROUP A BY k) GENERATE group, myudfs.Longest(A.name);
//! F = LOAD 'fixed.txt' USING myudfs.FixedWidthLoader('5,3');
//! STORE F INTO 'out' USING myudfs.FixedWidthStorer('5,3');
//! ```

use pigrs_plugin::prelude::*;

/// `myudfs.Reverse(chararray) -> chararray`: the characters in reverse order.
#[pigrs_plugin::eval]
fn reverse(s: &str) -> String {
    s.chars().rev().collect()
}

/// `myudfs.UcFirst(chararray) -> chararray`: the string with its first character in upper
/// case, as the built-in UCFIRST does it; `bench/plugin.sh` times the two against each other.
#[pigrs_plugin::eval]
fn uc_first(s: &str) -> String {
    let mut c = s.chars();
    match c.next() {
        Some(f) => f.to_uppercase().chain(c).collect(),
        None => String::new(),
    }
}

/// `myudfs.Add(int, int) -> int`: one overload of Add.
#[pigrs_plugin::eval(name = "Add")]
fn add_ints(a: i32, b: i32) -> i32 {
    a.wrapping_add(b)
}

/// `myudfs.Add(double, double) -> double`: the other overload of Add.
#[pigrs_plugin::eval(name = "Add")]
fn add_doubles(a: f64, b: f64) -> f64 {
    a + b
}

/// `myudfs.IsGood(chararray) -> boolean`: a filter, true for names that are not empty and
/// do not start with `bad`; null for a null name.
#[pigrs_plugin::filter]
fn is_good(s: Option<&str>) -> Option<bool> {
    s.map(|s| !s.is_empty() && !s.starts_with("bad"))
}

/// `myudfs.Words(chararray) -> {(word: chararray)}`: the words of a text, as a bag.
#[pigrs_plugin::eval(output = "{(word: chararray)}")]
fn words(s: &str) -> Bag {
    s.split_whitespace()
        .map(|w| vec![Value::Chararray(w.to_string())])
        .collect()
}

/// `myudfs.Explode(chararray) -> int`: the length of its argument, but panics when the
/// argument is `boom`: shows that a panic becomes an error naming the function and the row.
#[pigrs_plugin::eval]
fn explode(s: &str) -> i32 {
    if s == "boom" {
        panic!("cannot measure {s:?}");
    }
    s.chars().count() as i32
}

/// `DEFINE Pad myudfs.Pad('*', '6')`: pads its argument on the left with a fill character
/// to a width, both given as constructor arguments (default: spaces, width 10). Shows the
/// full interface: constructor arguments and an output type checked against the argument
/// types.
#[derive(Debug)]
struct Pad {
    fill: char,
    width: usize,
}

impl Udf for Pad {
    const NAME: &'static str = "Pad";

    fn new(ctor_args: &[String]) -> Result<Self, String> {
        match ctor_args {
            [] => Ok(Pad {
                fill: ' ',
                width: 10,
            }),
            [fill, width] => {
                let mut chars = fill.chars();
                let (Some(fill), None) = (chars.next(), chars.next()) else {
                    return Err(format!("the fill must be one character, not '{fill}'"));
                };
                let width = width
                    .parse()
                    .map_err(|_| format!("the width must be a number, not '{width}'"))?;
                Ok(Pad { fill, width })
            }
            _ => Err("takes no constructor arguments, or a fill character and a width".into()),
        }
    }

    fn output_type(&self, args: &[PigType]) -> Result<PigType, String> {
        match args {
            [PigType::Chararray | PigType::Bytearray] => Ok(PigType::Chararray),
            _ => Err("takes one chararray".into()),
        }
    }

    fn eval(&self, args: &[Value]) -> Result<Value, UdfError> {
        let s = match args {
            [Value::Null] => return Ok(Value::Null),
            [Value::Chararray(s)] => s.clone(),
            [Value::Bytearray(b)] => String::from_utf8_lossy(b).into_owned(),
            _ => return Err(UdfError::new("takes one chararray")),
        };
        let n = s.chars().count();
        let pad: String = std::iter::repeat_n(self.fill, self.width.saturating_sub(n)).collect();
        Ok(Value::Chararray(pad + &s))
    }
}

/// `myudfs.SumSquares({(x)}) -> double`: the sum of the squares of the first fields of a
/// bag's tuples (nulls skipped; null when there is no number). Algebraic: after a GROUP,
/// pigrs runs it in the combiner, squaring on the map side and adding partial sums.
#[derive(Debug)]
struct SumSquares;

/// The sum of the doubles in field 0 of `tuples`, each squared first when `square`.
fn sum(tuples: &Bag, square: bool) -> Value {
    let mut total: Option<f64> = None;
    // A plugin's bags arrive decoded, all in memory.
    for t in tuples.in_memory() {
        let Some(v) = t.first() else { continue };
        if let Value::Double(x) = *pigrs_plugin::coerce(v, Some(&PigType::Double)) {
            *total.get_or_insert(0.0) += if square { x * x } else { x };
        }
    }
    total.map_or(Value::Null, Value::Double)
}

impl Udf for SumSquares {
    const NAME: &'static str = "SumSquares";
    const KIND: Kind = Kind::Algebraic;

    fn new(ctor_args: &[String]) -> Result<Self, String> {
        match ctor_args {
            [] => Ok(SumSquares),
            _ => Err("takes no constructor arguments".into()),
        }
    }

    fn output_type(&self, args: &[PigType]) -> Result<PigType, String> {
        match args {
            [PigType::Bag(_)] => Ok(PigType::Double),
            _ => Err("takes a bag of numbers".into()),
        }
    }

    fn eval(&self, args: &[Value]) -> Result<Value, UdfError> {
        match args {
            [Value::Bag(b)] => Ok(sum(b, true)),
            [Value::Null] => Ok(Value::Null),
            _ => Err(UdfError::new("takes a bag of numbers")),
        }
    }

    fn initial(&self, tuple: &Bag) -> Result<Value, UdfError> {
        Ok(sum(tuple, true))
    }

    fn intermediate(&self, states: &Bag) -> Result<Value, UdfError> {
        Ok(sum(states, false))
    }

    fn finalize(&self, states: &Bag) -> Result<Value, UdfError> {
        Ok(sum(states, false))
    }
}

/// `myudfs.Longest({(s: chararray)}) -> chararray`: the longest string of a bag's first
/// fields (the first of equally long ones; nulls skipped; null for a bag without strings).
/// An accumulator: pigrs hands it the bag a chunk at a time, so a group's bag never has to
/// fit in memory, and the state kept between chunks is one string.
#[derive(Debug)]
struct Longest;

/// The longest string seen so far, and its length in characters.
struct LongestSoFar(Option<(usize, String)>);

impl Accumulate for LongestSoFar {
    fn accumulate(&mut self, args: &[Value]) -> Result<(), UdfError> {
        let chunk = match args {
            [Value::Bag(b)] => b,
            [Value::Null] => return Ok(()),
            _ => return Err(UdfError::new("takes a bag of strings")),
        };
        // A chunk arrives decoded, all in memory: it is a part of the bag.
        for t in chunk.in_memory() {
            let s = match t.first() {
                Some(Value::Chararray(s)) => s,
                Some(Value::Null) | None => continue,
                Some(other) => return Err(UdfError::new(format!("{other} is not a string"))),
            };
            let n = s.chars().count();
            if self.0.as_ref().is_none_or(|(m, _)| n > *m) {
                self.0 = Some((n, s.clone()));
            }
        }
        Ok(())
    }

    fn value(&mut self) -> Result<Value, UdfError> {
        Ok(self
            .0
            .take()
            .map_or(Value::Null, |(_, s)| Value::Chararray(s)))
    }
}

impl Udf for Longest {
    const NAME: &'static str = "Longest";
    const KIND: Kind = Kind::Accumulator;

    fn new(ctor_args: &[String]) -> Result<Self, String> {
        match ctor_args {
            [] => Ok(Longest),
            _ => Err("takes no constructor arguments".into()),
        }
    }

    fn output_type(&self, args: &[PigType]) -> Result<PigType, String> {
        match args {
            [PigType::Bag(_)] => Ok(PigType::Chararray),
            _ => Err("takes a bag of strings".into()),
        }
    }

    fn accumulator(&self) -> Result<Box<dyn Accumulate>, UdfError> {
        Ok(Box::new(LongestSoFar(None)))
    }
}

/// The column widths of a fixed-width format, from a constructor argument like `'5,3'`.
fn widths(ctor_args: &[String]) -> Result<Vec<usize>, String> {
    let [spec] = ctor_args else {
        return Err("takes the column widths, like '5,3'".into());
    };
    spec.split(',')
        .map(|w| match w.trim().parse::<usize>() {
            Ok(n) if n > 0 => Ok(n),
            _ => Err(format!("bad column width `{w}` in '{spec}'")),
        })
        .collect()
}

/// `LOAD 'x' USING myudfs.FixedWidthLoader('5,3')`: a load function for fixed-width text,
/// each line cut into columns of those widths (in characters), each a chararray without its
/// padding spaces (null when blank). Blank lines are skipped; a line that is not UTF-8 is an
/// error. Declares its schema, `(f1: chararray, f2: chararray, ...)`, which a LOAD without
/// `AS` takes.
#[derive(Debug)]
struct FixedWidthLoader {
    widths: Vec<usize>,
}

impl Udf for FixedWidthLoader {
    const NAME: &'static str = "FixedWidthLoader";
    const KIND: Kind = Kind::Load;

    fn new(ctor_args: &[String]) -> Result<Self, String> {
        Ok(FixedWidthLoader {
            widths: widths(ctor_args)?,
        })
    }

    fn load_schema(&self) -> Result<Option<Schema>, String> {
        let fields = (1..=self.widths.len())
            .map(|i| Field::new(format!("f{i}"), PigType::Chararray))
            .collect();
        Ok(Some(Schema::new(fields)))
    }

    fn parse(&self, line: &[u8]) -> Result<Option<Tuple>, UdfError> {
        let line = std::str::from_utf8(line)
            .map_err(|e| UdfError::new(format!("the line is not UTF-8: {e}")))?;
        if line.trim().is_empty() {
            return Ok(None);
        }
        let mut chars = line.chars();
        let fields = self
            .widths
            .iter()
            .map(|&w| {
                let cell: String = chars.by_ref().take(w).collect();
                let cell = cell.trim();
                if cell.is_empty() {
                    Value::Null
                } else {
                    Value::Chararray(cell.to_string())
                }
            })
            .collect();
        Ok(Some(fields))
    }
}

/// `STORE A INTO 'x' USING myudfs.FixedWidthStorer('5,3')`: a store function writing each
/// row as one line of fixed-width columns, each field's text padded with spaces to its
/// column's width. Refuses a relation whose number of fields is not the number of columns,
/// and fails on a value wider than its column.
#[derive(Debug)]
struct FixedWidthStorer {
    widths: Vec<usize>,
}

impl Udf for FixedWidthStorer {
    const NAME: &'static str = "FixedWidthStorer";
    const KIND: Kind = Kind::Store;

    fn new(ctor_args: &[String]) -> Result<Self, String> {
        Ok(FixedWidthStorer {
            widths: widths(ctor_args)?,
        })
    }

    fn check_schema(&self, schema: Option<&Schema>) -> Result<(), String> {
        match schema {
            Some(s) if s.fields.len() != self.widths.len() => Err(format!(
                "it has {} fields for {} columns",
                s.fields.len(),
                self.widths.len()
            )),
            _ => Ok(()),
        }
    }

    fn format(&self, row: &Tuple, out: &mut Vec<u8>) -> Result<(), UdfError> {
        if row.len() != self.widths.len() {
            return Err(UdfError::new(format!(
                "{} fields for {} columns",
                row.len(),
                self.widths.len()
            )));
        }
        for (v, &w) in row.iter().zip(&self.widths) {
            let text = match v {
                Value::Null => String::new(),
                other => other.to_string(),
            };
            let n = text.chars().count();
            if n > w {
                return Err(UdfError::new(format!(
                    "`{text}` is wider than its column ({w})"
                )));
            }
            out.extend_from_slice(text.as_bytes());
            out.extend(std::iter::repeat_n(b' ', w - n));
        }
        out.push(b'\n');
        Ok(())
    }
}

pigrs_plugin::export! {
    namespace: "myudfs",
    functions: [
        reverse,
        uc_first,
        add_ints,
        add_doubles,
        is_good,
        words,
        explode,
        Pad,
        SumSquares,
        Longest,
        FixedWidthLoader,
        FixedWidthStorer,
    ],
}
