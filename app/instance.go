package app

import (
	"bufio"
	"errors"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"strings"
	"time"
)

// instance keeps Parley to one process per user. The first to start holds a lock in the
// runtime folder and listens on a socket beside it; a later start hands its request ("show",
// "quick") over the socket and exits. The lock dies with its process, so a crashed Parley
// never blocks the next start: the stale socket is simply replaced.
type instance struct {
	lock *os.File
	ln   net.Listener
	sock string
}

// Requests one Parley can make of another.
const (
	requestShow    = "show"
	requestQuick   = "quick"
	requestKeys    = "keys"    // a key was set or deleted elsewhere: read the keychain again
	requestHistory = "history" // the command line changed the history: list it again
)

// requests are the requests a running Parley takes.
var requests = map[string]bool{requestShow: true, requestQuick: true, requestKeys: true, requestHistory: true}

// errRunning says another Parley holds the lock.
var errRunning = errors.New("another Parley is running")

// claimInstance makes this process the one Parley, or says another is (errRunning).
func claimInstance(dir string) (*instance, error) {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("creating %s: %w", dir, err)
	}
	if err := private(dir); err != nil {
		return nil, err
	}
	lock, err := os.OpenFile(filepath.Join(dir, "instance.lock"), os.O_CREATE|os.O_RDWR, 0o600)
	if err != nil {
		return nil, fmt.Errorf("opening the instance lock: %w", err)
	}
	held, err := tryLock(lock)
	if err != nil {
		lock.Close()
		return nil, fmt.Errorf("taking the instance lock: %w", err)
	}
	if !held {
		lock.Close()
		return nil, errRunning
	}
	sock := filepath.Join(dir, "instance.sock")
	os.Remove(sock) // left by a Parley that died: the lock says nobody listens there
	ln, err := net.Listen("unix", sock)
	if err != nil {
		lock.Close()
		return nil, fmt.Errorf("listening for other Parley starts: %w", err)
	}
	return &instance{lock: lock, ln: ln, sock: sock}, nil
}

// serve answers other starts' requests until close.
func (i *instance) serve(handle func(request string)) {
	for {
		conn, err := i.ln.Accept()
		if err != nil {
			return
		}
		go func() {
			defer conn.Close()
			conn.SetDeadline(time.Now().Add(5 * time.Second))
			line, err := bufio.NewReader(conn).ReadString('\n')
			if err != nil {
				return
			}
			request := strings.TrimSpace(line)
			if !requests[request] {
				fmt.Fprintln(conn, "unknown request")
				return
			}
			fmt.Fprintln(conn, "ok")
			handle(request)
		}()
	}
}

func (i *instance) close() {
	i.ln.Close()
	os.Remove(i.sock)
	i.lock.Close()
}

// handOff asks the running Parley to carry out request. The running one may still be starting,
// so it tries for a few seconds.
func handOff(dir, request string) error {
	sock := filepath.Join(dir, "instance.sock")
	deadline := time.Now().Add(5 * time.Second)
	var lastErr error
	for time.Now().Before(deadline) {
		conn, err := net.DialTimeout("unix", sock, time.Second)
		if err != nil {
			lastErr = err
			time.Sleep(50 * time.Millisecond)
			continue
		}
		defer conn.Close()
		conn.SetDeadline(time.Now().Add(5 * time.Second))
		fmt.Fprintln(conn, request)
		reply, err := bufio.NewReader(conn).ReadString('\n')
		if err != nil {
			return fmt.Errorf("the running Parley did not answer: %w", err)
		}
		if strings.TrimSpace(reply) != "ok" {
			return fmt.Errorf("the running Parley refused %q: %s", request, strings.TrimSpace(reply))
		}
		return nil
	}
	return fmt.Errorf("another Parley holds the lock in %s but does not answer (%v); if none is running, remove that folder", dir, lastErr)
}

// tell passes a request to the running Parley, if there is one, without waiting for one to
// start: the command line telling the window a key changed.
func tell(dir, request string) {
	conn, err := net.DialTimeout("unix", filepath.Join(dir, "instance.sock"), 500*time.Millisecond)
	if err != nil {
		return // no Parley running: nothing to tell
	}
	defer conn.Close()
	conn.SetDeadline(time.Now().Add(2 * time.Second))
	fmt.Fprintln(conn, request)
	bufio.NewReader(conn).ReadString('\n')
}
