// Package storetest damages history files the way a failing disk would, for the tests of what
// Parley does about it.
package storetest

import (
	"database/sql"
	"fmt"
	"os"
	"strings"

	_ "github.com/mattn/go-sqlite3" // the history's driver
)

// DamageTable scribbles over the first page of a table's b-tree in the (closed) history at
// path. Its header and schema still read, so opening it does not notice; reading the table,
// or the whole file (store.Check), does.
func DamageTable(path, table string) error {
	db, err := sql.Open("sqlite3", "file:"+path)
	if err != nil {
		return err
	}
	var root, pageSize int64
	err = db.QueryRow(`SELECT rootpage FROM sqlite_schema WHERE name = ?`, table).Scan(&root)
	if err == nil {
		err = db.QueryRow(`PRAGMA page_size`).Scan(&pageSize)
	}
	db.Close()
	if err != nil {
		return fmt.Errorf("finding the table %s: %w", table, err)
	}
	f, err := os.OpenFile(path, os.O_WRONLY, 0)
	if err != nil {
		return err
	}
	if _, err := f.WriteAt([]byte(strings.Repeat("\xff", 64)), (root-1)*pageSize); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}
