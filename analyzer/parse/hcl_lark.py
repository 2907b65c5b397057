"""The reference HCL front end: python-hcl2's Lark parse tree → :mod:`hcl_ast`.

python-hcl2 (its Lark grammar and parser) does the parsing; this module only walks its
parse tree. Everything about that grammar's shape lives here. It reads every file the
fast front end (:mod:`driftgate.analyzer.parse.hcl_treesitter`) cannot, and is the
oracle of the differential test between the two.
"""

from __future__ import annotations

from collections.abc import Iterator

from lark import Token, Tree
from lark.exceptions import LarkError, UnexpectedCharacters, UnexpectedInput

from driftgate.analyzer.parse import hcl_ast as ast
from driftgate.analyzer.parse import hcl_templates as templates
from driftgate.analyzer.parse.hcl_errors import HclError, hcl_file

_Node = Tree[Token] | Token


def parse_hcl(path: str, text: str) -> ast.HclFile:
    """Parse one ``.tf``/``.tfvars`` file; raises :class:`HclError`."""
    tree = _parse_tree(text)
    body = tree.children[0]
    if not isinstance(body, Tree):
        return ast.HclFile(path, ())
    converter = _Converter(text)
    try:
        blocks = list(converter.body(body))
        # Top-level attributes (tfvars) are kept as one pseudo block.
        attributes = {
            attr.name: attr
            for attr in (converter.attribute(c) for c in _subtrees(body) if c.data == "attribute")
        }
    except RecursionError:
        # The parser is iterative; walking its tree is not: [[[[...]]]] thousands deep.
        raise HclError("HCL nesting too deep to parse", 0) from None
    return hcl_file(path, blocks, attributes)


def _parse_tree(text: str) -> Tree[Token]:
    from hcl2.parser import parser  # deferred: building the Lark parser costs ~60 ms

    if not text.endswith("\n"):
        text += "\n"
    try:
        return parser().parse(text)
    except UnexpectedInput as exc:
        raise HclError(_describe(exc), exc.line if isinstance(exc.line, int) else 0) from None
    except LarkError as exc:
        raise HclError(f"HCL syntax error: {exc}", 0) from None
    except RecursionError:
        raise HclError("HCL nesting too deep to parse", 0) from None


def _describe(exc: UnexpectedInput) -> str:
    if isinstance(exc, UnexpectedCharacters):
        return f"HCL syntax error: unexpected character {exc.char!r} at column {exc.column}"
    token = getattr(exc, "token", None)
    if token is not None:
        if token.type == "$END":
            return "HCL syntax error: unexpected end of file (unclosed block or bracket?)"
        return f"HCL syntax error: unexpected {str(token)!r} at column {exc.column}"
    return "HCL syntax error"


def _is_noise(node: _Node) -> bool:
    return isinstance(node, Token) or node.data == "new_line_or_comment"


def _subtrees(tree: Tree[Token]) -> list[Tree[Token]]:
    return [c for c in tree.children if isinstance(c, Tree) and c.data != "new_line_or_comment"]


def _name(node: _Node) -> str:
    """The text of an identifier, keyword, literal_value or string label."""
    if isinstance(node, Token):
        return str(node)
    if node.data == "string":
        return "".join(
            templates.unescape(str(p.children[0])) for p in node.children if isinstance(p, Tree)
        )
    return "".join(str(t) for t in node.scan_values(lambda _: True))


class _Converter:
    def __init__(self, text: str) -> None:
        self.text = text if text.endswith("\n") else text + "\n"

    def _text(self, tree: Tree[Token]) -> str:
        meta = tree.meta
        if getattr(meta, "empty", True):
            return ""
        last = _last_token(tree)
        end = last.end_pos if last is not None and last.end_pos is not None else meta.end_pos
        return self.text[meta.start_pos : end].strip()

    # ---- structure ----------------------------------------------------------------

    def body(self, body: Tree[Token]) -> Iterator[ast.Block]:
        for child in _subtrees(body):
            if child.data == "block":
                yield self.block(child)

    def block(self, tree: Tree[Token]) -> ast.Block:
        heads: list[str] = []
        body: Tree[Token] | None = None
        for child in tree.children:
            if isinstance(child, Token):
                continue
            if child.data == "body":
                body = child
            elif child.data != "new_line_or_comment":
                heads.append(_name(child))
        attributes: dict[str, ast.Attribute] = {}
        blocks: list[ast.Block] = []
        if body is not None:
            for child in _subtrees(body):
                if child.data == "block":
                    blocks.append(self.block(child))
                elif child.data == "attribute":
                    attr = self.attribute(child)
                    attributes[attr.name] = attr
        return ast.Block(
            type=heads[0],
            labels=tuple(heads[1:]),
            attributes=attributes,
            blocks=tuple(blocks),
            line=tree.meta.line,
            end_line=_end_line(tree),
        )

    def attribute(self, tree: Tree[Token]) -> ast.Attribute:
        parts = _subtrees(tree)
        expr_node = parts[-1]
        return ast.Attribute(
            name=_name(parts[0]),
            expr=self.expr(expr_node),
            line=tree.meta.line,
            end_line=_end_line(tree),
        )

    # ---- expressions --------------------------------------------------------------

    def expr(self, node: _Node) -> ast.Expr:
        if isinstance(node, Token):
            return self._token(node)
        handler = getattr(self, "_e_" + str(node.data), None)
        if handler is None:
            return ast.Unparsed(self._text(node), f"unsupported syntax {node.data}")
        result: ast.Expr = handler(node)
        return result

    def _token(self, token: Token) -> ast.Expr:
        value = str(token)
        if token.type == "INT_LITERAL":
            return ast.Literal(value, int(value))
        if token.type == "FLOAT_LITERAL":
            return ast.Literal(value, float(value))
        return ast.Unparsed(value, f"unexpected token {token.type}")

    def _e_expr_term(self, tree: Tree[Token]) -> ast.Expr:
        inner = [c for c in tree.children if not _is_noise(c)]
        if len(inner) == 1:
            return self.expr(inner[0])
        tokens = [c for c in tree.children if isinstance(c, Token)]
        if tokens:
            return self._token(tokens[0])
        return ast.Unparsed(self._text(tree), "empty expression")

    def _e_int_lit(self, tree: Tree[Token]) -> ast.Expr:
        return self._token(tree.children[0])  # type: ignore[arg-type]

    _e_float_lit = _e_int_lit

    def _e_literal_value(self, tree: Tree[Token]) -> ast.Expr:
        word = _name(tree)
        return ast.Literal(word, {"true": True, "false": False, "null": None}[word])

    def _e_identifier(self, tree: Tree[Token]) -> ast.Expr:
        name = _name(tree)
        return ast.Variable(name, name)

    def _e_string(self, tree: Tree[Token]) -> ast.Expr:
        parts: list[str | ast.Expr] = []
        for part in tree.children:
            if not isinstance(part, Tree):
                continue
            child = part.children[0]
            if isinstance(child, Token):
                if child.type == "ESCAPED_INTERPOLATION" or child.type == "ESCAPED_DIRECTIVE":
                    parts.append(str(child)[1:])
                else:
                    parts.append(templates.unescape(str(child)))
            elif child.data == "interpolation":
                parts.append(self.expr(_subtrees(child)[0]))
            else:
                return ast.Unparsed(self._text(tree), "template directive")
        return templates.template(self._text(tree), parts)

    def _e_heredoc_template(self, tree: Tree[Token]) -> ast.Expr:
        raw = str(tree.children[0])
        body = templates.heredoc_body(raw)
        if tree.data == "heredoc_template_trim":
            body = templates.dedent(body)
        return templates.heredoc(self._text(tree) or raw.strip(), body, parse_expression)

    _e_heredoc_template_trim = _e_heredoc_template

    def _e_template_string(self, tree: Tree[Token]) -> ast.Expr:
        return ast.Unparsed(self._text(tree), "escaped template string")

    def _e_tuple(self, tree: Tree[Token]) -> ast.Expr:
        return ast.TupleExpr(self._text(tree), tuple(self.expr(c) for c in _subtrees(tree)))

    def _e_object(self, tree: Tree[Token]) -> ast.Expr:
        items: list[tuple[ast.Expr, ast.Expr]] = []
        for elem in _subtrees(tree):
            key_node, value_node = _subtrees(elem)
            items.append((self._object_key(key_node), self.expr(value_node)))
        return ast.ObjectExpr(self._text(tree), tuple(items), tree.meta.line, _end_line(tree))

    def _object_key(self, tree: Tree[Token]) -> ast.Expr:
        inner = _subtrees(tree)
        if not inner:  # a keyword used as a key
            word = _name(tree)
            return ast.Literal(word, word)
        key = self.expr(inner[0])
        parenthesised = any(isinstance(t, Token) and t.type == "LPAR" for t in inner[0].children)
        # A bare identifier key is its own name, not a variable reference (HCL spec);
        # in parentheses it is a reference.
        if isinstance(key, ast.Variable) and not parenthesised:
            return ast.Literal(key.name, key.name)
        if inner[0].data == "keyword":
            word = _name(inner[0])
            return ast.Literal(word, word)
        return key

    def _e_keyword(self, tree: Tree[Token]) -> ast.Expr:
        word = _name(tree)
        return ast.Literal(word, word)

    def _e_function_call(self, tree: Tree[Token]) -> ast.Expr:
        names = [_name(c) for c in _subtrees(tree) if c.data == "identifier"]
        args_nodes = [c for c in _subtrees(tree) if c.data == "arguments"]
        args: tuple[ast.Expr, ...] = ()
        expand = False
        if args_nodes:
            args = tuple(self.expr(c) for c in _subtrees(args_nodes[0]))
            expand = any(
                isinstance(t, Token) and t.type == "ELLIPSIS" for t in args_nodes[0].children
            )
        return ast.Call(self._text(tree), "::".join(names), args, expand)

    def _e_get_attr_expr_term(self, tree: Tree[Token]) -> ast.Expr:
        obj_node, get_attr = _subtrees(tree)
        return ast.GetAttr(self._text(tree), self.expr(obj_node), _name(_subtrees(get_attr)[0]))

    def _e_index_expr_term(self, tree: Tree[Token]) -> ast.Expr:
        obj_node, index = _subtrees(tree)
        return ast.Index(self._text(tree), self.expr(obj_node), self._index_key(index))

    def _index_key(self, index: Tree[Token]) -> ast.Expr:
        if index.data == "short_index":
            token = next(c for c in index.children if isinstance(c, Token) and c.type != "DOT")
            return ast.Literal(str(token), int(token))
        return self.expr(_subtrees(index)[0])

    def _e_attr_splat_expr_term(self, tree: Tree[Token]) -> ast.Expr:
        obj_node, splat = _subtrees(tree)
        attrs: list[str | ast.Expr] = []
        for op in _subtrees(splat):
            if op.data == "get_attr":
                attrs.append(_name(_subtrees(op)[0]))
            else:
                attrs.append(self._index_key(op))
        return ast.Splat(self._text(tree), self.expr(obj_node), tuple(attrs))

    _e_full_splat_expr_term = _e_attr_splat_expr_term

    def _e_conditional(self, tree: Tree[Token]) -> ast.Expr:
        cond, true, false = (self.expr(c) for c in _subtrees(tree))
        return ast.Conditional(self._text(tree), cond, true, false)

    def _e_binary_op(self, tree: Tree[Token]) -> ast.Expr:
        left_node, term = _subtrees(tree)[:2]
        operator, right_node = _subtrees(term)[:2]
        op = "".join(str(t) for t in operator.children if isinstance(t, Token)).strip()
        return ast.BinaryOp(self._text(tree), op, self.expr(left_node), self.expr(right_node))

    def _e_unary_op(self, tree: Tree[Token]) -> ast.Expr:
        op = next(str(c) for c in tree.children if isinstance(c, Token))
        return ast.UnaryOp(self._text(tree), op, self.expr(_subtrees(tree)[0]))

    def _e_for_tuple_expr(self, tree: Tree[Token]) -> ast.Expr:
        return self._for(tree, is_object=False)

    def _e_for_object_expr(self, tree: Tree[Token]) -> ast.Expr:
        return self._for(tree, is_object=True)

    def _for(self, tree: Tree[Token], *, is_object: bool) -> ast.Expr:
        intro, *rest = _subtrees(tree)
        names = [_name(c) for c in _subtrees(intro) if c.data == "identifier"]
        collection = self.expr(_subtrees(intro)[-1])
        cond: ast.Expr | None = None
        if rest and rest[-1].data == "for_cond":
            cond = self.expr(_subtrees(rest.pop())[0])
        key_var, value_var = (names[0], names[1]) if len(names) == 2 else (None, names[0])
        grouping = any(isinstance(t, Token) and t.type == "ELLIPSIS" for t in tree.children)
        key = self.expr(rest[0]) if is_object else None
        value = self.expr(rest[-1])
        return ast.ForExpr(
            self._text(tree), key_var, value_var, collection, key, value, cond, grouping
        )


def _last_token(tree: Tree[Token]) -> Token | None:
    """The last token that is part of ``tree``'s text: not a trailing newline or comment
    the grammar lets an expression swallow (``a + b # why``)."""
    for child in reversed(tree.children):
        if isinstance(child, Token):
            return child
        if child.data == "new_line_or_comment":
            continue
        found = _last_token(child)
        if found is not None:
            return found
    return None


def _end_line(tree: Tree[Token]) -> int:
    """The line ``tree``'s text ends on (a heredoc token holds its final newline)."""
    last = _last_token(tree)
    if last is None or last.end_line is None:
        return int(tree.meta.end_line)
    return int(last.end_line) - (1 if str(last).endswith("\n") else 0)


def parse_expression(source: str) -> ast.Expr:
    """One expression (from inside a heredoc), parsed as the value of an attribute."""
    wrapped = f"x = {source.strip()}\n"
    try:
        tree = _parse_tree(wrapped)
    except HclError:
        return ast.Unparsed(source.strip(), "an interpolation that does not parse")
    converter = _Converter(wrapped)
    attribute = _subtrees(tree.children[0])[0]  # type: ignore[arg-type]
    return converter.attribute(attribute).expr
