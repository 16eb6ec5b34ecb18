"""The syntax stage: the grammar's parser, the AST and the files a program is read from."""
