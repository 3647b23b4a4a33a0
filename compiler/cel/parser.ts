/**
 * The CEL lexer and the one parser instance (chevrotain lives only in this folder). The parser
 * produces a CST; `build-ast.ts` turns it into the AST. Precedence, lowest first:
 * `?:`, `||`, `&&`, relations (`== != < <= > >= in`), `+ -`, `* / %`, unary `! -`, member access.
 */
import { createToken, CstParser, EOF, Lexer, type CstNode, type IToken, type TokenType } from 'chevrotain';

const Identifier = createToken({ name: 'Identifier', pattern: /[_a-zA-Z][_a-zA-Z0-9]*/ });
const keyword = (name: string, word: string) => createToken({ name, pattern: new RegExp(`${word}(?![_a-zA-Z0-9])`), longer_alt: Identifier });

export const T = {
  WhiteSpace: createToken({ name: 'WhiteSpace', pattern: /[ \t\n\r\f]+/, group: Lexer.SKIPPED }),
  Comment: createToken({ name: 'Comment', pattern: /\/\/[^\n\r]*/, group: Lexer.SKIPPED }),
  // bytes literals are lexed only to be reported as unsupported
  Bytes: createToken({ name: 'Bytes', pattern: /(?:[bB][rR]?|[rR][bB])(?:'''[\s\S]*?'''|"""[\s\S]*?"""|'(?:[^'\\\n\r]|\\.)*'|"(?:[^"\\\n\r]|\\.)*")/ }),
  RawString: createToken({ name: 'RawString', pattern: /[rR](?:'''[\s\S]*?'''|"""[\s\S]*?"""|'[^'\n\r]*'|"[^"\n\r]*")/ }),
  String: createToken({ name: 'String', pattern: /'''(?:[^\\]|\\[\s\S])*?'''|"""(?:[^\\]|\\[\s\S])*?"""|'(?:[^'\\\n\r]|\\.)*'|"(?:[^"\\\n\r]|\\.)*"/ }),
  Double: createToken({ name: 'Double', pattern: /\d+\.\d+(?:[eE][+-]?\d+)?|\d+[eE][+-]?\d+|\.\d+(?:[eE][+-]?\d+)?/ }),
  UInt: createToken({ name: 'UInt', pattern: /(?:0[xX][0-9a-fA-F]+|\d+)[uU]/ }),
  Int: createToken({ name: 'Int', pattern: /0[xX][0-9a-fA-F]+|\d+/ }),
  QuotedIdentifier: createToken({ name: 'QuotedIdentifier', pattern: /`[^`\n\r]+`/ }),
  True: keyword('True', 'true'),
  False: keyword('False', 'false'),
  Null: keyword('Null', 'null'),
  In: keyword('In', 'in'),
  Identifier,
  EqEq: createToken({ name: 'EqEq', pattern: /==/ }),
  NotEq: createToken({ name: 'NotEq', pattern: /!=/ }),
  LessEq: createToken({ name: 'LessEq', pattern: /<=/ }),
  GreaterEq: createToken({ name: 'GreaterEq', pattern: />=/ }),
  Less: createToken({ name: 'Less', pattern: /</ }),
  Greater: createToken({ name: 'Greater', pattern: />/ }),
  AndAnd: createToken({ name: 'AndAnd', pattern: /&&/ }),
  OrOr: createToken({ name: 'OrOr', pattern: /\|\|/ }),
  Bang: createToken({ name: 'Bang', pattern: /!/ }),
  Question: createToken({ name: 'Question', pattern: /\?/ }),
  Colon: createToken({ name: 'Colon', pattern: /:/ }),
  Plus: createToken({ name: 'Plus', pattern: /\+/ }),
  Minus: createToken({ name: 'Minus', pattern: /-/ }),
  Star: createToken({ name: 'Star', pattern: /\*/ }),
  Slash: createToken({ name: 'Slash', pattern: /\// }),
  Percent: createToken({ name: 'Percent', pattern: /%/ }),
  Dot: createToken({ name: 'Dot', pattern: /\./ }),
  Comma: createToken({ name: 'Comma', pattern: /,/ }),
  LParen: createToken({ name: 'LParen', pattern: /\(/ }),
  RParen: createToken({ name: 'RParen', pattern: /\)/ }),
  LBracket: createToken({ name: 'LBracket', pattern: /\[/ }),
  RBracket: createToken({ name: 'RBracket', pattern: /]/ }),
  LBrace: createToken({ name: 'LBrace', pattern: /\{/ }),
  RBrace: createToken({ name: 'RBrace', pattern: /}/ }),
} as const;

const allTokens: TokenType[] = Object.values(T);
export const celLexer = new Lexer(allTokens, { positionTracking: 'onlyOffset', ensureOptimizations: false });

class CelParser extends CstParser {
  constructor() {
    super(allTokens, { recoveryEnabled: false, maxLookahead: 3 });
    this.performSelfAnalysis();
  }

  root = this.RULE('root', () => {
    this.SUBRULE(this.expr);
    this.CONSUME(EOF);
  });

  expr = this.RULE('expr', () => {
    this.SUBRULE(this.conditionalOr);
    this.OPTION(() => {
      this.CONSUME(T.Question);
      this.SUBRULE2(this.conditionalOr);
      this.CONSUME(T.Colon);
      this.SUBRULE(this.expr);
    });
  });

  conditionalOr = this.RULE('conditionalOr', () => {
    this.SUBRULE(this.conditionalAnd);
    this.MANY(() => {
      this.CONSUME(T.OrOr);
      this.SUBRULE2(this.conditionalAnd);
    });
  });

  conditionalAnd = this.RULE('conditionalAnd', () => {
    this.SUBRULE(this.relation);
    this.MANY(() => {
      this.CONSUME(T.AndAnd);
      this.SUBRULE2(this.relation);
    });
  });

  relation = this.RULE('relation', () => {
    this.SUBRULE(this.addition);
    this.MANY(() => {
      this.OR([
        { ALT: () => this.CONSUME(T.EqEq) },
        { ALT: () => this.CONSUME(T.NotEq) },
        { ALT: () => this.CONSUME(T.LessEq) },
        { ALT: () => this.CONSUME(T.GreaterEq) },
        { ALT: () => this.CONSUME(T.Less) },
        { ALT: () => this.CONSUME(T.Greater) },
        { ALT: () => this.CONSUME(T.In) },
      ]);
      this.SUBRULE2(this.addition);
    });
  });

  addition = this.RULE('addition', () => {
    this.SUBRULE(this.multiplication);
    this.MANY(() => {
      this.OR([{ ALT: () => this.CONSUME(T.Plus) }, { ALT: () => this.CONSUME(T.Minus) }]);
      this.SUBRULE2(this.multiplication);
    });
  });

  multiplication = this.RULE('multiplication', () => {
    this.SUBRULE(this.unary);
    this.MANY(() => {
      this.OR([{ ALT: () => this.CONSUME(T.Star) }, { ALT: () => this.CONSUME(T.Slash) }, { ALT: () => this.CONSUME(T.Percent) }]);
      this.SUBRULE2(this.unary);
    });
  });

  unary = this.RULE('unary', () => {
    this.MANY(() => {
      this.OR([{ ALT: () => this.CONSUME(T.Bang) }, { ALT: () => this.CONSUME(T.Minus) }]);
    });
    this.SUBRULE(this.member);
  });

  member = this.RULE('member', () => {
    this.SUBRULE(this.primary);
    this.MANY(() => this.SUBRULE(this.memberSuffix));
  });

  memberSuffix = this.RULE('memberSuffix', () => {
    this.OR([
      {
        ALT: () => {
          this.CONSUME(T.Dot);
          this.OPTION(() => this.CONSUME(T.Question)); // optional field selection: reported as unsupported
          this.OR2([
            {
              ALT: () => {
                this.CONSUME(T.Identifier);
                this.OPTION2(() => this.SUBRULE(this.callArgs));
              },
            },
            { ALT: () => this.CONSUME(T.QuotedIdentifier) },
          ]);
        },
      },
      {
        ALT: () => {
          this.CONSUME(T.LBracket);
          this.OPTION3(() => this.CONSUME2(T.Question)); // optional index: unsupported
          this.SUBRULE(this.expr);
          this.CONSUME(T.RBracket);
        },
      },
      {
        // message construction `Name{field: value}`: reported as unsupported
        ALT: () => {
          this.CONSUME(T.LBrace);
          this.OPTION4(() => this.SUBRULE(this.entries));
          this.CONSUME(T.RBrace);
        },
      },
    ]);
  });

  callArgs = this.RULE('callArgs', () => {
    this.CONSUME(T.LParen);
    this.OPTION(() => {
      this.SUBRULE(this.expr);
      this.MANY(() => {
        this.CONSUME(T.Comma);
        this.SUBRULE2(this.expr);
      });
    });
    this.CONSUME(T.RParen);
  });

  primary = this.RULE('primary', () => {
    this.OR([
      {
        ALT: () => {
          this.OPTION(() => this.CONSUME(T.Dot));
          this.CONSUME(T.Identifier);
          this.OPTION2(() => this.SUBRULE(this.callArgs));
        },
      },
      {
        ALT: () => {
          this.CONSUME(T.LParen);
          this.SUBRULE(this.expr);
          this.CONSUME(T.RParen);
        },
      },
      {
        ALT: () => {
          this.CONSUME(T.LBracket);
          this.OPTION3(() => this.SUBRULE(this.items));
          this.CONSUME(T.RBracket);
        },
      },
      {
        ALT: () => {
          this.CONSUME(T.LBrace);
          this.OPTION4(() => this.SUBRULE(this.entries));
          this.CONSUME(T.RBrace);
        },
      },
      { ALT: () => this.SUBRULE(this.literal) },
    ]);
  });

  /** `a, b, c` with an optional trailing comma. */
  items = this.RULE('items', () => {
    this.SUBRULE(this.expr);
    this.MANY({
      GATE: () => this.LA(2).tokenType !== T.RBracket,
      DEF: () => {
        this.CONSUME(T.Comma);
        this.SUBRULE2(this.expr);
      },
    });
    this.OPTION(() => this.CONSUME2(T.Comma));
  });

  /** `k: v, k: v` with an optional trailing comma. */
  entries = this.RULE('entries', () => {
    this.SUBRULE(this.entry);
    this.MANY({
      GATE: () => this.LA(2).tokenType !== T.RBrace,
      DEF: () => {
        this.CONSUME(T.Comma);
        this.SUBRULE2(this.entry);
      },
    });
    this.OPTION(() => this.CONSUME2(T.Comma));
  });

  entry = this.RULE('entry', () => {
    this.OPTION(() => this.CONSUME(T.Question)); // optional entry: unsupported
    this.SUBRULE(this.expr);
    this.CONSUME(T.Colon);
    this.SUBRULE2(this.expr);
  });

  literal = this.RULE('literal', () => {
    this.OR([
      { ALT: () => this.CONSUME(T.Int) },
      { ALT: () => this.CONSUME(T.UInt) },
      { ALT: () => this.CONSUME(T.Double) },
      { ALT: () => this.CONSUME(T.String) },
      { ALT: () => this.CONSUME(T.RawString) },
      { ALT: () => this.CONSUME(T.Bytes) },
      { ALT: () => this.CONSUME(T.True) },
      { ALT: () => this.CONSUME(T.False) },
      { ALT: () => this.CONSUME(T.Null) },
    ]);
  });
}

/** The one parser instance; `parse` resets its input on every call. */
const parser = new CelParser();

export interface SyntaxError {
  readonly offset: number;
  readonly length: number;
  readonly message: string;
}

function describe(token: IToken, textLength: number): SyntaxError {
  if (token.tokenType.name === 'EOF' || Number.isNaN(token.startOffset)) {
    return { offset: textLength, length: 0, message: 'unexpected end of expression' };
  }
  return { offset: token.startOffset, length: token.image.length, message: `unexpected \`${token.image}\`` };
}

/** Lexes and parses `text` into a CST, or reports the first lexical or syntax errors. */
export function parseCst(text: string): { cst: CstNode; errors: [] } | { cst: undefined; errors: SyntaxError[] } {
  const lexed = celLexer.tokenize(text);
  if (lexed.errors.length > 0) {
    return {
      cst: undefined,
      errors: lexed.errors.map((e) => {
        const ch = text.slice(e.offset, e.offset + 1);
        const unterminated = ch === '"' || ch === "'";
        return {
          offset: e.offset,
          length: unterminated ? text.length - e.offset : e.length,
          message: unterminated ? 'unterminated string' : `unexpected character \`${ch}\``,
        };
      }),
    };
  }
  parser.input = lexed.tokens;
  const cst = parser.root();
  if (parser.errors.length > 0) {
    return { cst: undefined, errors: parser.errors.map((e) => describe(e.token, text.length)) };
  }
  return { cst, errors: [] };
}
