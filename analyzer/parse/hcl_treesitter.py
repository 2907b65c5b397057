"""The fast HCL front end: tree-sitter's HCL grammar → :mod:`hcl_ast`, with line numbers.

tree-sitter parses in C, about twenty times as fast as python-hcl2's Lark grammar, and
this walker builds the very nodes python-hcl2's walker (:mod:`hcl_lark`) builds: the
differential test holds the two to it. What this front end does not take on is raised
as :class:`Unsupported` — a tree with an error node (python-hcl2 then gives the error
message users know) or a node type not handled here — and that file goes to python-hcl2.

tree-sitter's expressions are flat: ``a.b[0]`` is one node whose children are a primary
(``a``) and the postfix operations (``.b``, ``[0]``) applied in turn, and operands of an
operation are such sequences too. :meth:`_Converter.sequence` folds them into nested
nodes, each with the source text it spans, as python-hcl2's nested tree has them.
"""

from __future__ import annotations

import functools
from collections.abc import Iterator, Sequence
from typing import TYPE_CHECKING

from driftgate.analyzer.parse import hcl_ast as ast
from driftgate.analyzer.parse import hcl_templates as templates
from driftgate.analyzer.parse.hcl_errors import hcl_file

if TYPE_CHECKING:
    from tree_sitter import Node, Parser

_BINARY = frozenset({"==", "!=", "<", ">", "<=", ">=", "+", "-", "*", "/", "%", "&&", "||"})
_POSTFIX = frozenset({"get_attr", "index", "splat"})
# Wrappers whose one named child is the expression.
_WRAPPERS = frozenset({"collection_value", "template_expr", "for_expr", "operation"})
_LITERALS = {"true": True, "false": False, "null": None}


class Unsupported(Exception):
    """Text this front end leaves to python-hcl2: ``reason`` says what, and where."""


@functools.cache
def _parser() -> Parser:
    # Deferred: a run that reads no .tf file never loads the grammar.
    import tree_sitter
    import tree_sitter_hcl

    return tree_sitter.Parser(tree_sitter.Language(tree_sitter_hcl.language()))


def parse_hcl(path: str, text: str) -> ast.HclFile:
    """Parse one ``.tf``/``.tfvars`` file; raises :class:`Unsupported`."""
    data = text.encode()
    root = _parser().parse(data).root_node
    if root.has_error:
        raise Unsupported(f"a syntax error near line {_first_error_line(root)}")
    converter = _Converter(data)
    body = next((c for c in root.named_children if c.type == "body"), None)
    if body is None:
        return ast.HclFile(path, ())
    try:
        blocks = [converter.block(c) for c in body.named_children if c.type == "block"]
        attributes: dict[str, ast.Attribute] = {}
        for child in body.named_children:
            if child.type == "attribute":
                attr = converter.attribute(child)
                attributes[attr.name] = attr
    except RecursionError:
        raise Unsupported("nesting too deep for this front end") from None
    except (ValueError, IndexError, KeyError, StopIteration) as exc:
        # A tree of a shape this walker does not expect (0x10, say): python-hcl2 reads
        # it and words the error, if there is one.
        raise Unsupported(f"a construct this front end does not read ({exc!r})") from None
    return hcl_file(path, blocks, attributes)


def parse_expression(source: str) -> ast.Expr:
    """One expression (from inside a heredoc), parsed as the value of an attribute."""
    try:
        parsed = parse_hcl("", f"x = {source.strip()}\n")
        return parsed.blocks[0].attributes["x"].expr
    except (Unsupported, IndexError, KeyError):
        from driftgate.analyzer.parse import hcl_lark

        return hcl_lark.parse_expression(source)


def _first_error_line(root: Node) -> int:
    cursor = [root]
    while cursor:
        node = cursor.pop()
        if node.type == "ERROR" or node.is_missing:
            return node.start_point[0] + 1
        if node.has_error:
            cursor.extend(reversed(node.children))
    return 0


def _end_line(node: Node) -> int:
    """1-based; a node that ends with its newline ends on the line before."""
    row, column = node.end_point
    return row if column == 0 and row > node.start_point[0] else row + 1


def _meaningful(children: Sequence[Node]) -> list[Node]:
    return [c for c in children if c.type != "comment"]


class _Converter:
    def __init__(self, data: bytes) -> None:
        self.data = data

    def text(self, node: Node) -> str:
        return self.data[node.start_byte : node.end_byte].decode().strip()

    def span(self, start: Node, end: Node) -> str:
        return self.data[start.start_byte : end.end_byte].decode().strip()

    # ---- structure ----------------------------------------------------------------

    def block(self, node: Node) -> ast.Block:
        heads: list[str] = []
        attributes: dict[str, ast.Attribute] = {}
        blocks: list[ast.Block] = []
        for child in node.named_children:
            kind = child.type
            if kind == "identifier":
                heads.append(self.text(child))
            elif kind == "string_lit":
                heads.append(self._string_value(child))
            elif kind == "body":
                for inner in child.named_children:
                    if inner.type == "block":
                        blocks.append(self.block(inner))
                    elif inner.type == "attribute":
                        attr = self.attribute(inner)
                        attributes[attr.name] = attr
        return ast.Block(
            type=heads[0],
            labels=tuple(heads[1:]),
            attributes=attributes,
            blocks=tuple(blocks),
            line=node.start_point[0] + 1,
            end_line=_end_line(node),
        )

    def attribute(self, node: Node) -> ast.Attribute:
        name_node, *_, expr_node = _meaningful(node.named_children)
        return ast.Attribute(
            name=self.text(name_node),
            expr=self.expr(expr_node),
            line=node.start_point[0] + 1,
            end_line=_end_line(node),
        )

    # ---- expressions --------------------------------------------------------------

    def expr(self, node: Node) -> ast.Expr:
        kind = node.type
        if kind == "expression":
            return self.sequence(_meaningful(node.children))
        if kind in _WRAPPERS:
            return self.expr(_meaningful(node.named_children)[0])
        handler = _HANDLERS.get(kind)
        if handler is None:
            raise Unsupported(f"{kind} at line {node.start_point[0] + 1}")
        return handler(self, node)

    def sequence(self, nodes: Sequence[Node]) -> ast.Expr:
        """A primary (or a parenthesised expression) and the postfix operations after it."""
        if not nodes:
            raise Unsupported("an empty expression")
        first = nodes[0]
        if first.type == "(":
            primary, postfix = self.expr(nodes[1]), nodes[3:]
        else:
            primary, postfix = self.expr(first), nodes[1:]
        result = primary
        for op in postfix:
            text = self.span(first, op)
            if op.type == "get_attr":
                result = ast.GetAttr(text, result, self._attr_name(op))
            elif op.type == "index":
                result = ast.Index(text, result, self._index_key(op))
            elif op.type == "splat":
                result = ast.Splat(text, result, tuple(self._splat_attrs(op)))
            else:
                raise Unsupported(f"{op.type} at line {op.start_point[0] + 1}")
        return result

    def _attr_name(self, get_attr: Node) -> str:
        return self.text(_meaningful(get_attr.named_children)[0])

    def _index_key(self, index: Node) -> ast.Expr:
        inner = _meaningful(index.named_children)[0]
        if inner.type == "legacy_index":  # a.0
            digits = self.text(inner).lstrip(".")
            return ast.Literal(digits, int(digits))
        return self.expr(_meaningful(inner.named_children)[0])

    def _splat_attrs(self, splat: Node) -> Iterator[str | ast.Expr]:
        for op in _meaningful(splat.named_children[0].named_children):
            if op.type == "get_attr":
                yield self._attr_name(op)
            else:
                yield self._index_key(op)

    def _variable(self, node: Node) -> ast.Expr:
        name = self.text(node)
        return ast.Variable(name, name)

    def _literal_value(self, node: Node) -> ast.Expr:
        inner = node.named_children[0]
        text = self.text(inner)
        if inner.type == "numeric_lit":
            try:
                return ast.Literal(text, int(text))
            except ValueError:
                return ast.Literal(text, float(text))
        if inner.type == "string_lit":
            return ast.Literal(text, self._string_value(inner))
        return ast.Literal(text, _LITERALS[text])

    def _string_value(self, string_lit: Node) -> str:
        """A quoted string with nothing interpolated: what is between the quotes."""
        children = string_lit.children
        raw = self.data[children[0].end_byte : children[-1].start_byte].decode()
        return templates.unescape_template(raw)

    def _quoted_template(self, node: Node) -> ast.Expr:
        children = node.children
        if any(c.type == "template_directive" for c in children):
            return ast.Unparsed(self.text(node), "template directive")
        parts: list[str | ast.Expr] = []
        # The literal text is what lies between interpolations: tree-sitter's
        # template_literal nodes leave out the spaces at their edges.
        cursor = children[0].end_byte
        strip_next = False
        for child in children[1:]:
            if child.type != "template_interpolation" and child.type != "quoted_template_end":
                continue
            literal = templates.unescape_template(self.data[cursor : child.start_byte].decode())
            inner = _meaningful(child.named_children)
            markers = [c for c in inner if c.type == "strip_marker"]
            if strip_next:
                literal = literal.lstrip()
            if markers and markers[0].start_byte < child.start_byte + 3:
                literal = literal.rstrip()  # ${~ trims the space before
            parts.append(literal)
            if child.type == "quoted_template_end":
                break
            expression = next(c for c in inner if c.type == "expression")
            parts.append(self.expr(expression))
            strip_next = bool(markers) and markers[-1].start_byte > expression.start_byte
            cursor = child.end_byte
        return templates.template(self.text(node), parts)

    def _heredoc(self, node: Node) -> ast.Expr:
        raw = self.data[node.start_byte : node.end_byte].decode()
        body = templates.heredoc_body(raw)
        start = node.named_children[0]
        if self.text(start) == "<<-":
            body = templates.dedent(body)
        return templates.heredoc(raw.strip(), body, parse_expression)

    def _tuple(self, node: Node) -> ast.Expr:
        items = [c for c in node.named_children if c.type == "expression"]
        return ast.TupleExpr(self.text(node), tuple(self.expr(c) for c in items))

    def _object(self, node: Node) -> ast.Expr:
        items: list[tuple[ast.Expr, ast.Expr]] = []
        for elem in node.named_children:
            if elem.type != "object_elem":
                continue
            key_node = elem.child_by_field_name("key")
            value_node = elem.child_by_field_name("val")
            if key_node is None or value_node is None:
                raise Unsupported(f"an object element at line {elem.start_point[0] + 1}")
            items.append((self._object_key(key_node), self.expr(value_node)))
        return ast.ObjectExpr(
            self.text(node), tuple(items), node.start_point[0] + 1, _end_line(node)
        )

    def _object_key(self, node: Node) -> ast.Expr:
        key = self.expr(node)
        # A bare identifier key is its own name, not a variable reference (HCL spec);
        # in parentheses it is a reference.
        if isinstance(key, ast.Variable) and node.children[0].type != "(":
            return ast.Literal(key.name, key.name)
        return key

    def _call(self, node: Node) -> ast.Expr:
        named = _meaningful(node.named_children)
        name = self.text(named[0])
        args: tuple[ast.Expr, ...] = ()
        expand = False
        for child in named[1:]:
            if child.type == "function_arguments":
                inner = _meaningful(child.named_children)
                args = tuple(self.expr(c) for c in inner if c.type == "expression")
                expand = any(c.type == "ellipsis" for c in inner)
        return ast.Call(self.text(node), name, args, expand)

    def _conditional(self, node: Node) -> ast.Expr:
        # The grammar makes ``a ? b : c ? d : e`` left-associative; HCL's conditional is
        # right-associative, ``a ? b : (c ? d : e)``: rebuild it from the operands.
        operands = self._chain(node)
        result = self.expr(operands[-1])
        for i in range(len(operands) - 3, -1, -2):
            cond, true = operands[i], operands[i + 1]
            text = self.span(cond, operands[-1])
            result = ast.Conditional(text, self.expr(cond), self.expr(true), result)
        return result

    def _chain(self, node: Node) -> list[Node]:
        """cond, true, [cond, true, ...] false: the operands of unparenthesised nested
        conditionals in source order."""
        cond, true, false = _meaningful(node.named_children)
        inner = _meaningful(cond.children)
        if len(inner) == 1 and inner[0].type == "conditional":
            return [*self._chain(inner[0]), true, false]
        return [cond, true, false]

    def _binary(self, node: Node) -> ast.Expr:
        children = _meaningful(node.children)
        at = next(i for i, c in enumerate(children) if not c.is_named and c.type in _BINARY)
        left, right = self.sequence(children[:at]), self.sequence(children[at + 1 :])
        return ast.BinaryOp(self.text(node), children[at].type, left, right)

    def _unary(self, node: Node) -> ast.Expr:
        op, *operand = _meaningful(node.children)
        return ast.UnaryOp(self.text(node), op.type, self.sequence(operand))

    def _for(self, node: Node) -> ast.Expr:
        is_object = node.type == "for_object_expr"
        named = _meaningful(node.named_children)
        intro = next(c for c in named if c.type == "for_intro")
        intro_parts = _meaningful(intro.named_children)
        names = [self.text(c) for c in intro_parts if c.type == "identifier"]
        collection = self.expr(intro_parts[-1])
        exprs = [c for c in named if c.type == "expression"]
        cond_nodes = [c for c in named if c.type == "for_cond"]
        cond = None
        if cond_nodes:
            cond = self.expr(_meaningful(cond_nodes[0].named_children)[0])
        key_var, value_var = (names[0], names[1]) if len(names) == 2 else (None, names[0])
        grouping = any(c.type == "ellipsis" for c in named)
        key = self.expr(exprs[0]) if is_object else None
        value = self.expr(exprs[-1])
        return ast.ForExpr(
            self.text(node), key_var, value_var, collection, key, value, cond, grouping
        )


_HANDLERS = {
    "variable_expr": _Converter._variable,
    "literal_value": _Converter._literal_value,
    "quoted_template": _Converter._quoted_template,
    "heredoc_template": _Converter._heredoc,
    "tuple": _Converter._tuple,
    "object": _Converter._object,
    "function_call": _Converter._call,
    "conditional": _Converter._conditional,
    "binary_operation": _Converter._binary,
    "unary_operation": _Converter._unary,
    "for_tuple_expr": _Converter._for,
    "for_object_expr": _Converter._for,
}
