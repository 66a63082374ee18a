//! An eval function as a plan holds it: the instance that runs, and the [`FuncSpec`] that
//! made it, so that a plan sent to another process (a cluster's scheduler or executor) can
//! make the same function again there.
//!
//! A plan serializes a [`Func`] as its spec. Built-ins and pigrs's internal functions are made
//! again from the spec alone; a plugin's function needs the plugin libraries the script
//! REGISTERed, which the decoding process supplies with [`with_plugins`]. Decoding a plugin
//! function without them is an error that names the function, never a silent substitute.

use std::cell::RefCell;
use std::fmt;
use std::ops::Deref;
use std::sync::Arc;

use pigrs_udf::func::{CallArg, EvalFunc, builtin_with_args};
use pigrs_udf::{PigType, Value};

/// What names an eval function: enough to make it again.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum FuncSpec {
    /// A built-in (Pig's, DataFu's or Piggybank's), by the name it was resolved by, with the
    /// constructor arguments of its DEFINE.
    Builtin {
        /// The name `builtin_with_args` found it by.
        name: String,
        /// Constructor arguments.
        args: Vec<String>,
    },
    /// A function of a REGISTERed plugin library: `namespace.Name(args)`.
    Plugin {
        /// `namespace.Name`.
        name: String,
        /// Constructor arguments.
        args: Vec<String>,
    },
    /// CUBE/ROLLUP's expansion of a row into its grouping combinations.
    CubeDimensions {
        /// For each clause: whether it is a ROLLUP, and how many dimensions it has.
        clauses: Vec<(bool, usize)>,
    },
    /// The fields of a tuple from this position on (`ORDER BY x ..`).
    RowFrom(usize),
    /// A function configured by its call site's arguments ([`EvalFunc::bind`]: DataFu's
    /// BagGroup finds fields by name): the function `of`, bound to the same arguments again.
    Bound {
        /// The function before binding.
        of: Box<FuncSpec>,
        /// The call site's arguments.
        args: Vec<BoundArg>,
    },
}

/// What [`EvalFunc::bind`] learns of one argument at a call site.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct BoundArg {
    /// The argument's type.
    pub ty: PigType,
    /// The name Pig gives it, if it is a field.
    pub name: Option<String>,
    /// Its value, when it is a literal.
    pub constant: Option<Value>,
}

/// Makes the functions of plugin libraries from their specs (the process's REGISTERed
/// libraries).
pub trait PluginFuncs {
    /// The function `name` (`namespace.Name`) with constructor arguments, or why not.
    fn plugin_func(&self, name: &str, args: &[String]) -> Result<Arc<dyn EvalFunc>, String>;
}

thread_local! {
    static PLUGINS: RefCell<Option<Arc<dyn PluginFuncs>>> = const { RefCell::new(None) };
}

/// Runs `f` (which decodes a plan) with `plugins` making the plugin functions it names.
pub fn with_plugins<R>(plugins: Arc<dyn PluginFuncs>, f: impl FnOnce() -> R) -> R {
    let previous = PLUGINS.with(|p| p.replace(Some(plugins)));
    let result = f();
    PLUGINS.with(|p| *p.borrow_mut() = previous);
    result
}

/// An eval function: its instance and the spec that made it.
#[derive(Clone)]
pub struct Func {
    spec: FuncSpec,
    imp: Arc<dyn EvalFunc>,
}

impl Func {
    /// A function made from `spec` by the caller.
    pub fn new(spec: FuncSpec, imp: Arc<dyn EvalFunc>) -> Self {
        Func { spec, imp }
    }

    /// The built-in `name` with no constructor arguments.
    pub fn builtin(name: &str) -> Option<Func> {
        Func::make(FuncSpec::Builtin {
            name: name.to_string(),
            args: vec![],
        })
        .ok()
    }

    /// The function `spec` names; plugin functions come from the libraries given to
    /// [`with_plugins`].
    pub fn make(spec: FuncSpec) -> Result<Func, String> {
        let imp: Arc<dyn EvalFunc> = match &spec {
            FuncSpec::Bound { of, args } => return Func::make((**of).clone())?.bind(args),
            FuncSpec::Builtin { name, args } => builtin_with_args(name, args)?
                .ok_or_else(|| format!("there is no built-in function `{name}`"))?,
            FuncSpec::Plugin { name, args } => {
                let plugins = PLUGINS.with(|p| p.borrow().clone()).ok_or_else(|| {
                    format!(
                        "the plugin function `{name}` cannot be made here: no plugin libraries were given"
                    )
                })?;
                plugins.plugin_func(name, args)?
            }
            FuncSpec::CubeDimensions { clauses } => {
                Arc::new(pigrs_udf::builtins::relational::CubeDimensions {
                    clauses: clauses.clone(),
                })
            }
            FuncSpec::RowFrom(start) => Arc::new(RowFrom(*start)),
        };
        Ok(Func { spec, imp })
    }

    /// The function configured by its call site's arguments, for a function that wants
    /// them ([`EvalFunc::bind`]); the function itself for the others.
    pub fn bind(self, args: &[BoundArg]) -> Result<Func, String> {
        let call: Vec<CallArg<'_>> = args
            .iter()
            .map(|a| CallArg {
                ty: &a.ty,
                name: a.name.as_deref(),
                constant: a.constant.as_ref(),
            })
            .collect();
        Ok(match self.imp.bind(&call)? {
            Some(imp) => Func {
                spec: FuncSpec::Bound {
                    of: Box::new(self.spec),
                    args: args.to_vec(),
                },
                imp,
            },
            None => self,
        })
    }

    /// The spec that made it.
    pub fn spec(&self) -> &FuncSpec {
        &self.spec
    }

    /// The instance.
    pub fn instance(&self) -> &Arc<dyn EvalFunc> {
        &self.imp
    }

    /// Whether both are the same instance.
    pub fn ptr_eq(&self, other: &Func) -> bool {
        Arc::ptr_eq(&self.imp, &other.imp)
    }
}

impl Deref for Func {
    type Target = dyn EvalFunc;

    fn deref(&self) -> &Self::Target {
        &*self.imp
    }
}

impl fmt::Debug for Func {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.imp.fmt(f)
    }
}

impl serde::Serialize for Func {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        self.spec.serialize(s)
    }
}

impl<'de> serde::Deserialize<'de> for Func {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Func, D::Error> {
        let spec = FuncSpec::deserialize(d)?;
        Func::make(spec).map_err(serde::de::Error::custom)
    }
}

/// `ORDER BY x ..`: the fields of the row from `x` on, as one tuple key.
#[derive(Debug)]
pub struct RowFrom(pub usize);

impl EvalFunc for RowFrom {
    fn name(&self) -> &str {
        "(fields to the end)"
    }

    fn return_type(&self, _args: &[pigrs_udf::PigType]) -> Result<pigrs_udf::PigType, String> {
        Ok(pigrs_udf::PigType::Tuple(None))
    }

    fn eval(
        &self,
        args: &[pigrs_udf::Value],
    ) -> Result<pigrs_udf::Value, pigrs_udf::func::UdfError> {
        use pigrs_udf::Value;
        Ok(match args.first() {
            Some(Value::Tuple(t)) => {
                Value::Tuple(Box::new(t.iter().skip(self.0).cloned().collect()))
            }
            _ => Value::Null,
        })
    }
}
