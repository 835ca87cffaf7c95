package backup

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"syscall"
	"time"
)

// RestoreResult describes a restore.
type RestoreResult struct {
	// Saved is where the replaced database now is (empty when there was
	// none); its -wal and -shm files, if any, moved beside it.
	Saved string
}

// Restore puts the backup at backupPath in place of the database at
// dbPath. It checks the backup first, refuses while any process has the
// database open (see InUse), keeps the replaced database as
// DB.before-restore-STAMP (with its -wal and -shm, so that copy stays
// whole and the old WAL can never be replayed onto the restored file),
// and gives the restored file the replaced file's owner and mode so that
// the relay's user can still write it.
func Restore(ctx context.Context, backupPath, dbPath string, now time.Time) (RestoreResult, error) {
	var res RestoreResult
	dst, err := databasePath(dbPath)
	if err != nil {
		return res, err
	}
	src, err := filepath.Abs(backupPath)
	if err != nil {
		return res, fmt.Errorf("backup path: %w", err)
	}
	if src == dst {
		return res, errors.New("the backup and the database are the same file")
	}
	if err := Verify(ctx, src); err != nil {
		return res, fmt.Errorf("backup refused: %w", err)
	}
	if err := InUse(dst); err != nil {
		return res, fmt.Errorf("refusing to replace %s: %w; stop the relay first", dst, err)
	}

	dir := filepath.Dir(dst)
	mode := os.FileMode(0o600)
	uid, gid := -1, -1
	old, err := os.Stat(dst)
	switch {
	case err == nil:
		if !old.Mode().IsRegular() {
			return res, fmt.Errorf("%s is not a regular file", dst)
		}
		mode = old.Mode().Perm()
		if st, ok := old.Sys().(*syscall.Stat_t); ok {
			uid, gid = int(st.Uid), int(st.Gid)
		}
	case errors.Is(err, os.ErrNotExist):
		if err := os.MkdirAll(dir, 0o750); err != nil {
			return res, fmt.Errorf("create database directory: %w", err)
		}
	default:
		return res, fmt.Errorf("stat %s: %w", dst, err)
	}

	// Copy first, under a temporary name in the same directory, so the
	// final step is a rename and the old file stays until the copy is whole.
	partial := dst + ".restore-partial"
	defer os.Remove(partial)
	if err := copyFile(src, partial, mode); err != nil {
		return res, err
	}
	if uid >= 0 {
		if err := os.Lchown(partial, uid, gid); err != nil && !errors.Is(err, os.ErrPermission) {
			return res, fmt.Errorf("give the restored file its owner: %w", err)
		}
	}

	var moved [][2]string
	undo := func() {
		for i := len(moved) - 1; i >= 0; i-- {
			_ = os.Rename(moved[i][1], moved[i][0])
		}
	}
	if old != nil {
		res.Saved = dst + ".before-restore-" + now.UTC().Format(stampLayout)
		for _, suffix := range []string{"", "-wal", "-shm"} {
			from, to := dst+suffix, res.Saved+suffix
			if _, err := os.Lstat(from); errors.Is(err, os.ErrNotExist) {
				continue
			}
			if _, err := os.Lstat(to); err == nil {
				undo()
				return RestoreResult{}, fmt.Errorf("%s already exists", to)
			}
			if err := os.Rename(from, to); err != nil {
				undo()
				return RestoreResult{}, fmt.Errorf("keep the replaced database: %w", err)
			}
			moved = append(moved, [2]string{from, to})
		}
	}
	if err := os.Rename(partial, dst); err != nil {
		undo()
		return RestoreResult{}, fmt.Errorf("put the backup in place: %w", err)
	}
	if err := syncDir(dir); err != nil {
		return res, err
	}
	if err := Verify(ctx, dst); err != nil {
		return res, fmt.Errorf("restored file failed its check: %w", err)
	}
	return res, nil
}

func copyFile(src, dst string, mode os.FileMode) error {
	in, err := os.Open(src)
	if err != nil {
		return fmt.Errorf("open backup: %w", err)
	}
	defer in.Close()
	out, err := os.OpenFile(dst, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, mode)
	if err != nil {
		return fmt.Errorf("create %s: %w", dst, err)
	}
	if _, err := io.Copy(out, in); err != nil {
		out.Close()
		return fmt.Errorf("copy backup: %w", err)
	}
	if err := out.Sync(); err != nil {
		out.Close()
		return fmt.Errorf("sync %s: %w", dst, err)
	}
	if err := out.Close(); err != nil {
		return fmt.Errorf("close %s: %w", dst, err)
	}
	return nil
}
