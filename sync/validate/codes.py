"""The stable codes of findings. Editors search for them and CI may name them: never rename."""

# The file itself
FILE_TOO_LARGE = "file-too-large"
FILE_NOT_UTF8 = "file-not-utf8"
FILE_BINARY = "file-binary"
FILE_SYMLINK = "file-symlink"
FILE_GITLINK = "file-gitlink"
FILE_UNREADABLE = "file-unreadable"
# YAML
YAML_SYNTAX = "yaml-syntax"
MERGE_CONFLICT = "merge-conflict"
YAML_DUPLICATE_KEY = "yaml-duplicate-key"
YAML_ANCHOR = "yaml-anchor"
YAML_TOO_DEEP = "yaml-too-deep"
YAML_TAB = "yaml-tab"
YAML_NOT_MAPPING = "yaml-not-mapping"
YAML_MULTIPLE_DOCUMENTS = "yaml-multiple-documents"
TEXT_CONTROL_CHARACTER = "text-control-character"
# JSON Schema: "schema-" + the failing keyword, e.g. schema-required, schema-enum
SCHEMA_PREFIX = "schema-"
# Where the file lives
PATH_INVALID = "path-invalid"
TYPE_MISMATCH = "type-mismatch"
DUPLICATE_ID = "duplicate-id"
DEFAULT_MISSING_TYPE = "default-missing-type"
# The template
JINJA_SYNTAX = "jinja-syntax"
TEMPLATE_BLANK = "template-blank"
TEMPLATE_TOO_LONG = "template-too-long"
TEMPLATE_UNSAFE = "template-unsafe"
PYTHON_FORMAT = "python-format"
# Variables
VARIABLE_UNDECLARED = "variable-undeclared"
VARIABLE_UNKNOWN = "variable-unknown"
VARIABLE_NOT_ALLOWED = "variable-not-allowed"
VARIABLE_UNUSED = "variable-unused"
VARIABLE_TYPE = "variable-type"
# Samples
SAMPLE_RENDER = "sample-render"
SAMPLE_TIMEOUT = "sample-timeout"
SAMPLE_TOO_LONG = "sample-too-long"
SAMPLE_UNKNOWN_VARIABLE = "sample-unknown-variable"
SAMPLE_DUPLICATE = "sample-duplicate"
SAMPLE_BLANK = "sample-blank"
# Against a base revision (--base)
VERSION_NOT_BUMPED = "version-not-bumped"
VERSION_NEW_NOT_ONE = "version-new-not-one"
# The repository's own rule files
RULES_INVALID = "rules-invalid"
