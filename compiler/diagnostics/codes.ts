/**
 * The one catalogue of diagnostic codes. A code never changes meaning once released;
 * ranges: PC1xxx reading files, PC2xxx schema, PC3xxx semantics of the policy model, PC4xxx
 * policy test files, PC5xxx conditions (CEL expressions), PC6xxx generated files, PC7xxx the user
 * directory checked against a policy (`policyc check --directory`).
 */
export const CODES = {
  // PC1xxx — reading policy files
  NoPolicyFiles: { code: 'PC1001', title: 'no policy files in the folder' },
  UnreadableFile: { code: 'PC1002', title: 'a policy file cannot be read' },
  YamlSyntax: { code: 'PC1003', title: 'YAML syntax error' },
  YamlDuplicateKey: { code: 'PC1004', title: 'a key appears twice in one mapping' },
  YamlAlias: { code: 'PC1005', title: 'YAML anchors, aliases and tags are not accepted' },
  // PC1006–PC1016 — hostile or careless input files and the limits of one compile (issue 14)
  InvalidUtf8: { code: 'PC1006', title: 'a policy file is not valid UTF-8' },
  EmptyFile: { code: 'PC1007', title: 'a policy file is empty (warning)' },
  SymbolicLink: { code: 'PC1008', title: 'a symbolic link leads outside the policy folder, into a loop, or nowhere' },
  YamlTooDeep: { code: 'PC1009', title: 'YAML mappings and lists are nested deeper than the limit' },
  TooManyFiles: { code: 'PC1010', title: 'the policy set has more files, or its files more bytes, than the limit' },
  YamlIndentation: { code: 'PC1011', title: 'YAML indentation does not say where an entry belongs' },
  YamlUnclosed: { code: 'PC1012', title: 'a YAML bracket, brace or quote is not closed' },
  YamlMultipleDocuments: { code: 'PC1013', title: 'a policy file holds more than one YAML document' },
  ExpressionTooLong: { code: 'PC1014', title: 'a condition is longer than the limit' },
  TooManyRoles: { code: 'PC1015', title: 'the policy set has more roles and profiles than the limit' },
  TooManyRules: { code: 'PC1016', title: 'the policy set would compile to more rules or field-mask entries than the limit' },
  RoleChainTooDeep: { code: 'PC1017', title: 'roles report to or extend each other in a chain longer than the limit' },
  DirectoryTooLarge: { code: 'PC1018', title: 'the user directory has more bytes or users than the limit' },

  // PC2xxx — the shape of a policy file (JSON Schema)
  UnknownKey: { code: 'PC2001', title: 'unknown key' },
  WrongType: { code: 'PC2002', title: 'a value has the wrong type' },
  MissingKey: { code: 'PC2003', title: 'a required key is missing' },
  InvalidValue: { code: 'PC2004', title: 'a value is not one of the allowed values' },
  InvalidShape: { code: 'PC2005', title: 'a value does not have an accepted shape' },

  // PC3xxx — the policy model
  UnknownRole: { code: 'PC3001', title: 'reference to an unknown role' },
  UnknownResource: { code: 'PC3002', title: 'reference to an unknown resource or module' },
  UnknownAction: { code: 'PC3003', title: 'reference to an unknown action' },
  DuplicateName: { code: 'PC3004', title: 'a name is defined twice' },
  HierarchyCycle: { code: 'PC3005', title: 'roles report to each other in a cycle' },
  InheritanceCycle: { code: 'PC3006', title: 'roles extend each other in a cycle' },
  LevelNeedsAttribute: { code: 'PC3007', title: 'a level needs an attribute the resource does not declare' },
  UnknownAttribute: { code: 'PC3008', title: 'reference to an undeclared attribute' },
  AttributeType: { code: 'PC3009', title: 'an attribute has the wrong type for its use' },
  IneffectiveGrant: { code: 'PC3010', title: 'grants on an administrator role have no effect' },
  DuplicateAction: { code: 'PC3011', title: 'an action is listed twice' },
  SelfReference: { code: 'PC3012', title: 'a role refers to itself' },
  ReservedName: { code: 'PC3013', title: 'a name the language reserves' },
  UnknownCapability: { code: 'PC3014', title: 'reference to an unknown organisation capability' },
  NoKeeper: { code: 'PC3015', title: 'no organisation role can manage the role that must always be kept' },
  PrivilegeEscalation: { code: 'PC3016', title: 'a role may assign a role with capabilities it lacks' },
  TopRole: { code: 'PC3017', title: 'the top role is declared twice or reports to another role' },
  UnknownGroup: { code: 'PC3018', title: 'reference to an unknown group' },
  UnknownProfile: { code: 'PC3019', title: 'reference to an unknown profile' },
  ParentCycle: { code: 'PC3020', title: 'record kinds are each other\'s parents in a cycle' },
  GrantOnChild: { code: 'PC3021', title: 'a grant on a kind whose access follows its parent record' },
  ModuleFields: { code: 'PC3022', title: 'field permissions on a module, which has no fields' },
  UnknownShift: { code: 'PC3023', title: 'reference to an unknown shift, or a shift condition without shifts' },
  UnknownStage: { code: 'PC3024', title: 'reference to a pipeline or stage the resource does not declare' },
  UnknownPermission: { code: 'PC3025', title: 'a required capability or permission that is not a permission of a declared module' },

  // PC4xxx — policy test files
  UnknownFixture: { code: 'PC4001', title: 'a test names a principal or resource that no test file defines' },
  DuplicateFixture: { code: 'PC4002', title: 'a principal or resource fixture is defined twice' },
  TestFailed: { code: 'PC4003', title: 'a test expectation does not hold' },
  InvalidTimestamp: { code: 'PC4004', title: 'a test\'s `now` is not an ISO 8601 timestamp with an offset' },

  // PC5xxx — conditions (CEL expressions)
  ConditionSyntax: { code: 'PC5001', title: 'a condition is not a valid expression' },
  ConditionUnknownName: { code: 'PC5002', title: 'a condition refers to an unknown variable, field or function' },
  ConditionType: { code: 'PC5003', title: 'a condition uses a value of the wrong type' },
  ConditionUnsupported: { code: 'PC5004', title: 'a condition uses a CEL feature policyc does not support' },
  ConditionInvalidLiteral: { code: 'PC5005', title: 'a time zone, duration, timestamp or regular expression in a condition is not valid' },
  ConditionNotPlannable: { code: 'PC5006', title: 'a condition reads the record in a way no query-plan filter expresses: plans are supersets to recheck (warning)' },
  // runtime hardening (issue 13): the cost budget of conditions
  ConditionUnboundedCost: { code: 'PC5007', title: 'the cost of a condition grows with the product of request list sizes: its cost budget may deny checks (warning)' },

  // PC6xxx — generated files
  StaleOutput: { code: 'PC6001', title: 'a generated file differs from what the policy compiles to (`build --check`)' },
  ForeignOutput: { code: 'PC6002', title: 'an output file was not generated by policyc and is not overwritten without `--force`' },

  // PC7xxx — the user directory (issue 16, docs/directory.md)
  DirectoryUnreadable: { code: 'PC7001', title: 'the user directory cannot be read, or is not a list of users' },
  DirectoryUserShape: { code: 'PC7002', title: 'a directory entry has a missing, unknown or wrongly typed field' },
  DirectoryUnknownName: { code: 'PC7003', title: 'a user holds a role, profile, group, shift, organisation or workspace the policy or the directory does not define (an undeclared attribute: warning)' },
  DirectoryUnknownManager: { code: 'PC7004', title: 'a user reports to an id no user has' },
  DirectoryReportingCycle: { code: 'PC7005', title: 'users report to each other in a cycle' },
  DirectoryDuplicateKey: { code: 'PC7006', title: 'an id, email or key names two users' },
  DirectoryNoAdmin: { code: 'PC7007', title: 'an organisation has no user holding the role it must keep (R-O2)' },
} as const;

export type CodeName = keyof typeof CODES;
