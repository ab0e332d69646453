// Copyright (C) 2019 Yasuhiro Matsumoto <mattn.jp@gmail.com>.
//
// Use of this source code is governed by an MIT-style
// license that can be found in the LICENSE file.

// Parley: always built, not only with the sqlite_fts5 tag. The history's search index is an FTS5
// table, and a tag every go command must be given is one a newcomer's plain `go build` forgets.

package sqlite3

/*
#cgo CFLAGS: -DSQLITE_ENABLE_FTS5
#cgo LDFLAGS: -lm
*/
import "C"
