//! The JSONPath filters DIGIT clients send with MDMS searches (Jayway syntax), applied to a
//! master's record array: `[?(@.code=='X')]`, `$.[?(@.active == true && @.type != 'A')]`,
//! `[?(@.code IN ['A','B'])]`, `[*].code`, `$..name`, `[0]`. Unsupported syntax is an error, not
//! a silent empty result.

use serde_json::Value;

#[derive(Debug, Clone, PartialEq)]
enum Seg {
    Child(String),
    Wildcard,
    Index(i64),
    Filter(Expr),
    Descend(String),
}

#[derive(Debug, Clone, PartialEq)]
enum Expr {
    Or(Box<Expr>, Box<Expr>),
    And(Box<Expr>, Box<Expr>),
    Not(Box<Expr>),
    Cmp(Operand, Op, Operand),
    Exists(Vec<String>),
}

#[derive(Debug, Clone, Copy, PartialEq)]
enum Op {
    Eq,
    Ne,
    Lt,
    Le,
    Gt,
    Ge,
    In,
    Nin,
}

#[derive(Debug, Clone, PartialEq)]
enum Operand {
    Path(Vec<String>),
    Lit(Value),
}

/// A compiled filter.
#[derive(Debug, Clone, PartialEq)]
pub struct JsonPath(Vec<Seg>);

impl JsonPath {
    pub fn parse(src: &str) -> Result<Self, String> {
        let mut p = Parser {
            s: src.trim().as_bytes(),
            i: 0,
        };
        let segs = p.path()?;
        Ok(JsonPath(segs))
    }

    /// Applies the path to `root` (a master's record array).
    pub fn apply(&self, root: &Value) -> Vec<Value> {
        let mut cur: Vec<&Value> = vec![root];
        for seg in &self.0 {
            let mut next = Vec::new();
            for v in cur {
                match seg {
                    Seg::Child(name) => {
                        if let Some(x) = v.get(name.as_str()) {
                            next.push(x);
                        } else if let Value::Array(a) = v {
                            // Jayway maps a property over an array of objects.
                            next.extend(a.iter().filter_map(|e| e.get(name.as_str())));
                        }
                    }
                    Seg::Wildcard => match v {
                        Value::Array(a) => next.extend(a.iter()),
                        Value::Object(m) => next.extend(m.values()),
                        _ => {}
                    },
                    Seg::Index(i) => {
                        if let Value::Array(a) = v {
                            let len = i64::try_from(a.len()).unwrap_or(i64::MAX);
                            let idx = if *i < 0 { len + i } else { *i };
                            if let Some(x) = usize::try_from(idx).ok().and_then(|k| a.get(k)) {
                                next.push(x);
                            }
                        }
                    }
                    Seg::Filter(e) => match v {
                        Value::Array(a) => next.extend(a.iter().filter(|x| eval(e, x))),
                        Value::Object(m) => next.extend(m.values().filter(|x| eval(e, x))),
                        _ => {}
                    },
                    Seg::Descend(name) => descend(v, name, &mut next),
                }
            }
            cur = next;
        }
        cur.into_iter().cloned().collect()
    }
}

fn descend<'a>(v: &'a Value, name: &str, out: &mut Vec<&'a Value>) {
    match v {
        Value::Object(m) => {
            if let Some(x) = m.get(name) {
                out.push(x);
            }
            m.values().for_each(|c| descend(c, name, out));
        }
        Value::Array(a) => a.iter().for_each(|c| descend(c, name, out)),
        _ => {}
    }
}

fn lookup<'a>(v: &'a Value, path: &[String]) -> Option<&'a Value> {
    path.iter().try_fold(v, |cur, k| cur.get(k.as_str()))
}

fn resolve(o: &Operand, item: &Value) -> Option<Value> {
    match o {
        Operand::Path(p) => lookup(item, p).cloned(),
        Operand::Lit(v) => Some(v.clone()),
    }
}

fn eval(e: &Expr, item: &Value) -> bool {
    match e {
        Expr::Or(a, b) => eval(a, item) || eval(b, item),
        Expr::And(a, b) => eval(a, item) && eval(b, item),
        Expr::Not(a) => !eval(a, item),
        Expr::Exists(p) => lookup(item, p).is_some_and(|v| !v.is_null()),
        Expr::Cmp(l, op, r) => {
            let (Some(l), Some(r)) = (resolve(l, item), resolve(r, item)) else {
                return *op == Op::Ne || *op == Op::Nin;
            };
            compare(&l, *op, &r)
        }
    }
}

fn loose_eq(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::Number(x), Value::Number(y)) => x.as_f64() == y.as_f64(),
        (Value::String(x), Value::Number(y)) | (Value::Number(y), Value::String(x)) => {
            x.parse::<f64>().ok() == y.as_f64()
        }
        _ => a == b,
    }
}

fn compare(l: &Value, op: Op, r: &Value) -> bool {
    match op {
        Op::Eq => loose_eq(l, r),
        Op::Ne => !loose_eq(l, r),
        Op::In => r
            .as_array()
            .is_some_and(|a| a.iter().any(|x| loose_eq(l, x))),
        Op::Nin => !r
            .as_array()
            .is_some_and(|a| a.iter().any(|x| loose_eq(l, x))),
        Op::Lt | Op::Le | Op::Gt | Op::Ge => {
            let ord = match (l, r) {
                (Value::Number(a), Value::Number(b)) => a.as_f64().partial_cmp(&b.as_f64()),
                (Value::String(a), Value::String(b)) => Some(a.cmp(b)),
                _ => None,
            };
            match (ord, op) {
                (Some(o), Op::Lt) => o.is_lt(),
                (Some(o), Op::Le) => o.is_le(),
                (Some(o), Op::Gt) => o.is_gt(),
                (Some(o), Op::Ge) => o.is_ge(),
                _ => false,
            }
        }
    }
}

struct Parser<'a> {
    s: &'a [u8],
    i: usize,
}

impl Parser<'_> {
    fn peek(&self) -> Option<u8> {
        self.s.get(self.i).copied()
    }
    fn ws(&mut self) {
        while self.peek().is_some_and(|c| c.is_ascii_whitespace()) {
            self.i += 1;
        }
    }
    fn eat(&mut self, t: &str) -> bool {
        self.ws();
        if self.s[self.i..].starts_with(t.as_bytes()) {
            self.i += t.len();
            true
        } else {
            false
        }
    }
    fn eat_word(&mut self, w: &str) -> bool {
        self.ws();
        let end = self.i + w.len();
        if end <= self.s.len()
            && self.s[self.i..end].eq_ignore_ascii_case(w.as_bytes())
            && !self
                .s
                .get(end)
                .is_some_and(|c| c.is_ascii_alphanumeric() || *c == b'_')
        {
            self.i = end;
            true
        } else {
            false
        }
    }
    fn err<T>(&self, what: &str) -> Result<T, String> {
        Err(format!("{what} at position {}", self.i))
    }
    fn name(&mut self) -> Result<String, String> {
        let start = self.i;
        while self
            .peek()
            .is_some_and(|c| c.is_ascii_alphanumeric() || c == b'_' || c == b'-' || c == b'$')
        {
            self.i += 1;
        }
        if start == self.i {
            return self.err("expected a name");
        }
        Ok(String::from_utf8_lossy(&self.s[start..self.i]).into_owned())
    }

    fn path(&mut self) -> Result<Vec<Seg>, String> {
        let mut segs = Vec::new();
        self.ws();
        if self.peek() == Some(b'$') {
            self.i += 1;
        }
        loop {
            self.ws();
            match self.peek() {
                None => break,
                Some(b'.') => {
                    self.i += 1;
                    if self.peek() == Some(b'.') {
                        self.i += 1;
                        segs.push(Seg::Descend(self.name()?));
                    } else if self.peek() == Some(b'*') {
                        self.i += 1;
                        segs.push(Seg::Wildcard);
                    } else if self.peek() == Some(b'[') {
                        // "$.[?(...)]": the dot before a bracket is noise.
                    } else {
                        segs.push(Seg::Child(self.name()?));
                    }
                }
                Some(b'[') => {
                    self.i += 1;
                    self.ws();
                    match self.peek() {
                        Some(b'?') => {
                            self.i += 1;
                            if !self.eat("(") {
                                return self.err("expected '(' after '?'");
                            }
                            let e = self.or()?;
                            if !self.eat(")") {
                                return self.err("expected ')'");
                            }
                            segs.push(Seg::Filter(e));
                        }
                        Some(b'*') => {
                            self.i += 1;
                            segs.push(Seg::Wildcard);
                        }
                        Some(b'\'' | b'"') => match self.literal()? {
                            Value::String(s) => segs.push(Seg::Child(s)),
                            _ => return self.err("expected a quoted name"),
                        },
                        _ => match self.literal()? {
                            Value::Number(n) => match n.as_i64() {
                                Some(i) => segs.push(Seg::Index(i)),
                                None => return self.err("expected a whole index"),
                            },
                            _ => return self.err("expected an index, '*', a name or a filter"),
                        },
                    }
                    if !self.eat("]") {
                        return self.err("expected ']'");
                    }
                }
                Some(_) => return self.err("unexpected character"),
            }
        }
        Ok(segs)
    }

    fn or(&mut self) -> Result<Expr, String> {
        let mut l = self.and()?;
        while self.eat("||") {
            let r = self.and()?;
            l = Expr::Or(Box::new(l), Box::new(r));
        }
        Ok(l)
    }
    fn and(&mut self) -> Result<Expr, String> {
        let mut l = self.unary()?;
        while self.eat("&&") {
            let r = self.unary()?;
            l = Expr::And(Box::new(l), Box::new(r));
        }
        Ok(l)
    }
    fn unary(&mut self) -> Result<Expr, String> {
        if self.eat("!") {
            return Ok(Expr::Not(Box::new(self.unary()?)));
        }
        if self.eat("(") {
            let e = self.or()?;
            if !self.eat(")") {
                return self.err("expected ')'");
            }
            return Ok(e);
        }
        let l = self.operand()?;
        let op = if self.eat("==") {
            Op::Eq
        } else if self.eat("!=") {
            Op::Ne
        } else if self.eat("<=") {
            Op::Le
        } else if self.eat(">=") {
            Op::Ge
        } else if self.eat("<") {
            Op::Lt
        } else if self.eat(">") {
            Op::Gt
        } else if self.eat_word("nin") {
            Op::Nin
        } else if self.eat_word("in") {
            Op::In
        } else if self.eat("=~") {
            return self.err("regular expressions are not supported");
        } else {
            return match l {
                Operand::Path(p) => Ok(Expr::Exists(p)),
                Operand::Lit(_) => self.err("expected a comparison"),
            };
        };
        let r = self.operand()?;
        Ok(Expr::Cmp(l, op, r))
    }
    fn operand(&mut self) -> Result<Operand, String> {
        self.ws();
        if self.peek() == Some(b'@') {
            self.i += 1;
            let mut path = Vec::new();
            while self.peek() == Some(b'.') {
                self.i += 1;
                path.push(self.name()?);
            }
            return Ok(Operand::Path(path));
        }
        Ok(Operand::Lit(self.literal()?))
    }
    fn literal(&mut self) -> Result<Value, String> {
        self.ws();
        match self.peek() {
            Some(q @ (b'\'' | b'"')) => {
                self.i += 1;
                let start = self.i;
                while self.peek().is_some_and(|c| c != q) {
                    self.i += 1;
                }
                if self.peek().is_none() {
                    return self.err("unterminated string");
                }
                let s = String::from_utf8_lossy(&self.s[start..self.i]).into_owned();
                self.i += 1;
                Ok(Value::String(s))
            }
            Some(b'[') => {
                self.i += 1;
                let mut items = Vec::new();
                if self.eat("]") {
                    return Ok(Value::Array(items));
                }
                loop {
                    items.push(self.literal()?);
                    if self.eat("]") {
                        break;
                    }
                    if !self.eat(",") {
                        return self.err("expected ',' or ']'");
                    }
                }
                Ok(Value::Array(items))
            }
            _ if self.eat_word("true") => Ok(Value::Bool(true)),
            _ if self.eat_word("false") => Ok(Value::Bool(false)),
            _ if self.eat_word("null") => Ok(Value::Null),
            Some(c) if c == b'-' || c.is_ascii_digit() => {
                let start = self.i;
                self.i += 1;
                while self
                    .peek()
                    .is_some_and(|c| c.is_ascii_digit() || c == b'.' || c == b'e' || c == b'E')
                {
                    self.i += 1;
                }
                let txt = String::from_utf8_lossy(&self.s[start..self.i]).into_owned();
                serde_json::from_str::<Value>(&txt).or_else(|_| self.err("bad number"))
            }
            _ => self.err("expected a value"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn run(path: &str, data: &Value) -> Vec<Value> {
        JsonPath::parse(path)
            .map(|p| p.apply(data))
            .unwrap_or_else(|e| vec![json!(e)])
    }

    #[test]
    fn filters_like_digit_clients() {
        let d = json!([
            {"code": "A", "active": true, "n": 1, "city": {"code": "1"}},
            {"code": "B", "active": false, "n": 2, "city": {"code": "2"}},
            {"code": "C", "active": true, "n": 3}
        ]);
        assert_eq!(run("[?(@.code=='B')]", &d), vec![d[1].clone()]);
        assert_eq!(run("$.[?(@.active == true)]", &d).len(), 2);
        assert_eq!(run("$[?(@.code IN ['A','C'])]", &d).len(), 2);
        assert_eq!(run("[?(@.code nin ['A','C'])]", &d), vec![d[1].clone()]);
        assert_eq!(
            run("[?(@.active==true && @.n > 1)]", &d),
            vec![d[2].clone()]
        );
        assert_eq!(run("[?(@.n < 2 || @.code == \"C\")]", &d).len(), 2);
        assert_eq!(run("[?(@.city.code == '2')]", &d), vec![d[1].clone()]);
        assert_eq!(run("[?(@.city)]", &d).len(), 2);
        assert_eq!(run("[?(!(@.active))]", &d).len(), 0);
        assert_eq!(
            run("[*].code", &d),
            vec![json!("A"), json!("B"), json!("C")]
        );
        assert_eq!(run("$.*.code", &d).len(), 3);
        assert_eq!(run("$..code", &d).len(), 5);
        assert_eq!(run("[-1].code", &d), vec![json!("C")]);
        assert_eq!(run("$", &d), vec![d.clone()]);
        assert_eq!(run("[?(@.n == '2')]", &d), vec![d[1].clone()]);
    }

    #[test]
    fn bad_syntax_is_an_error() {
        for bad in [
            "[?(@.code=='A'",
            "[?(@.code =~ /A/)]",
            "[?(@.code == )]",
            "code'",
            "[?(@.x in [1,)]",
        ] {
            assert!(JsonPath::parse(bad).is_err(), "{bad}");
        }
    }
}
