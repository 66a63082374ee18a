//! `#[pigrs_plugin::eval]` and `#[pigrs_plugin::filter]`: a plain Rust function as a pigrs
//! plugin function.
//!
//! The function stays as written. Beside it the attribute puts a type of the same name
//! (types and functions have separate namespaces) implementing `pigrs_plugin::Udf`, which
//! `pigrs_plugin::export!` lists:
//!
//! ```ignore
//! #[pigrs_plugin::eval]                       // called as ns.Reverse
//! fn reverse(s: &str) -> String { s.chars().rev().collect() }
//!
//! #[pigrs_plugin::eval(name = "Words", output = "{(word: chararray)}")]
//! fn words(s: &str) -> Bag { /* ... */ }
//! ```
//!
//! Options: `name = "..."` (default: the function's name in UpperCamelCase) and
//! `output = "..."`, the output type in Pig's schema syntax (default: the Pig type of the
//! Rust result type). Arguments and results convert as `pigrs_plugin::Arg` and
//! `pigrs_plugin::Ret` say.

use proc_macro::TokenStream;
use proc_macro2::TokenStream as Tokens;
use quote::{format_ident, quote};
use syn::{FnArg, ItemFn, LitStr, Pat, ReturnType, parse_macro_input};

/// Makes a plain function a plugin eval function (see the crate's documentation).
#[proc_macro_attribute]
pub fn eval(attr: TokenStream, item: TokenStream) -> TokenStream {
    expand(attr, item, false)
}

/// Makes a plain function returning `bool` (or `Option<bool>`) a plugin filter function,
/// for `FILTER A BY ns.Name(x)`.
#[proc_macro_attribute]
pub fn filter(attr: TokenStream, item: TokenStream) -> TokenStream {
    expand(attr, item, true)
}

fn expand(attr: TokenStream, item: TokenStream, filter: bool) -> TokenStream {
    let func = parse_macro_input!(item as ItemFn);
    let mut name: Option<LitStr> = None;
    let mut output: Option<LitStr> = None;
    let parser = syn::meta::parser(|meta| {
        if meta.path.is_ident("name") {
            name = Some(meta.value()?.parse()?);
            Ok(())
        } else if meta.path.is_ident("output") {
            output = Some(meta.value()?.parse()?);
            Ok(())
        } else {
            Err(meta.error("expected `name = \"...\"` or `output = \"...\"`"))
        }
    });
    parse_macro_input!(attr with parser);
    match generate(&func, name, output, filter) {
        Ok(t) => t.into(),
        Err(e) => e.to_compile_error().into(),
    }
}

/// `is_good` -> `IsGood`.
fn upper_camel(s: &str) -> String {
    s.trim_start_matches("r#")
        .split('_')
        .filter(|w| !w.is_empty())
        .map(|w| {
            let mut c = w.chars();
            c.next()
                .map(|f| f.to_uppercase().chain(c).collect::<String>())
                .unwrap_or_default()
        })
        .collect()
}

fn generate(
    func: &ItemFn,
    name: Option<LitStr>,
    output: Option<LitStr>,
    filter: bool,
) -> syn::Result<Tokens> {
    let sig = &func.sig;
    if !sig.generics.params.is_empty() || sig.asyncness.is_some() || sig.unsafety.is_some() {
        return Err(syn::Error::new_spanned(
            sig,
            "a plugin function must be a plain, non-generic, non-async, safe fn",
        ));
    }
    let ident = &sig.ident;
    let vis = &func.vis;
    let name = name.map_or_else(|| upper_camel(&ident.to_string()), |n| n.value());
    let ret = match &sig.output {
        ReturnType::Type(_, t) => t,
        ReturnType::Default => {
            return Err(syn::Error::new_spanned(
                sig,
                "a plugin function must return a value",
            ));
        }
    };
    let mut types = Vec::new();
    for input in &sig.inputs {
        match input {
            FnArg::Typed(p) if matches!(*p.pat, Pat::Ident(_) | Pat::Wild(_)) => {
                types.push(p.ty.clone())
            }
            other => {
                return Err(syn::Error::new_spanned(
                    other,
                    "plugin function arguments must be plain `name: Type`",
                ));
            }
        }
    }
    let n = types.len();
    let slots: Vec<_> = (0..n).map(|i| format_ident!("__a{i}")).collect();
    let cast: Vec<_> = (0..n).map(|i| format_ident!("__c{i}")).collect();
    let vals: Vec<_> = (0..n).map(|i| format_ident!("__v{i}")).collect();
    let kind = if filter {
        quote!(::pigrs_plugin::Kind::Filter)
    } else {
        quote!(::pigrs_plugin::Kind::Eval)
    };
    let output_type = match &output {
        Some(text) => quote!(::pigrs_plugin::__private::output(#name, #text)?),
        None => quote!(<#ret as ::pigrs_plugin::Ret>::pig_type()),
    };
    let filter_check = filter.then(|| {
        quote! {
            const _: fn() = || {
                fn returns_a_boolean<T: ::pigrs_plugin::FilterRet>() {}
                returns_a_boolean::<#ret>();
            };
        }
    });
    Ok(quote! {
        #func

        #[doc(hidden)]
        #[allow(non_camel_case_types)]
        #vis struct #ident {}

        #filter_check

        impl ::pigrs_plugin::Udf for #ident {
            const NAME: &'static str = #name;
            const KIND: ::pigrs_plugin::Kind = #kind;

            fn new(ctor_args: &[::std::string::String]) -> ::std::result::Result<Self, ::std::string::String> {
                ::pigrs_plugin::__private::no_ctor_args(#name, ctor_args)?;
                ::std::result::Result::Ok(#ident {})
            }

            fn signatures() -> ::std::result::Result<::std::vec::Vec<::pigrs_plugin::Signature>, ::std::string::String> {
                ::std::result::Result::Ok(::std::vec![::pigrs_plugin::Signature {
                    args: ::std::vec![#(<#types as ::pigrs_plugin::Arg>::pig_type()),*],
                    output: #output_type,
                }])
            }

            fn eval(&self, args: &[::pigrs_plugin::Value]) -> ::std::result::Result<::pigrs_plugin::Value, ::pigrs_plugin::UdfError> {
                let [#(#slots),*] = args else {
                    return ::std::result::Result::Err(::pigrs_plugin::__private::arity(#name, #n, args.len()));
                };
                #(
                    let #cast = ::pigrs_plugin::coerce(#slots, <#types as ::pigrs_plugin::Arg>::pig_type().as_ref());
                    let ::std::option::Option::Some(#vals) = <#types as ::pigrs_plugin::Arg>::from_value(&#cast)? else {
                        return ::std::result::Result::Ok(::pigrs_plugin::Value::Null);
                    };
                )*
                ::pigrs_plugin::Ret::into_value(#ident(#(#vals),*))
            }
        }
    })
}
