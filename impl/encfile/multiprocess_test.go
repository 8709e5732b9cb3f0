package encfile_test

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"github.com/anishathalye/porcupine"
	"github.com/spf13/afero"
	"github.com/stretchr/testify/require"

	"github.com/scopemig/scopemig/impl/encfile"
)

// Environment of the helper process (the test binary re-executed).
const (
	mpDirEnv = "ENCFILE_MP_HELPER_DIR"
	mpIDEnv  = "ENCFILE_MP_HELPER_ID"
	mpNEnv   = "ENCFILE_MP_HELPER_N"
	mpPass   = "correct horse battery staple"
	mpIters  = 500 // per process: 1,000 in total
)

// mpOp is one operation of a helper process, printed as a JSON line.
type mpOp struct {
	Proc int    `json:"p"`
	Kind string `json:"k"` // "inc" (Update: counter+1, Out = new value) or "set"
	Key  string `json:"key"`
	Val  string `json:"val"` // set: the value written; inc: the value produced
	Call int64  `json:"call"`
	Ret  int64  `json:"ret"`
	OK   bool   `json:"ok"`
}

func TestMain(m *testing.M) {
	if dir := os.Getenv(mpDirEnv); dir != "" {
		os.Exit(mpHelper(dir))
	}
	if path := os.Getenv(toolhiveHolderEnv); path != "" {
		os.Exit(toolhiveHolder(path)) // sidecar_test.go
	}
	os.Exit(m.Run())
}

// mpHelper alternates a locked increment of the shared counter (Update)
// and a SetSecret of one of its own keys, printing each operation.
func mpHelper(dir string) int {
	id, _ := strconv.Atoi(os.Getenv(mpIDEnv))
	n, _ := strconv.Atoi(os.Getenv(mpNEnv))
	ctx := context.Background()
	s, err := encfile.Open(afero.NewOsFs(), filepath.Join(dir, "secrets_encrypted"), []byte(mpPass))
	if err != nil {
		fmt.Fprintln(os.Stderr, "open:", err)
		return 2
	}
	enc := json.NewEncoder(os.Stdout)
	for j := 0; j < n; j++ {
		op := mpOp{Proc: id, Call: time.Now().UnixNano()}
		if j%2 == 0 {
			op.Kind, op.Key = "inc", "counter"
			err = s.Update(ctx, func(m map[string]string) error {
				c, _ := strconv.Atoi(m["counter"]) // absent: 0
				op.Val = strconv.Itoa(c + 1)
				m["counter"] = op.Val
				return nil
			})
		} else {
			op.Kind, op.Key, op.Val = "set", fmt.Sprintf("p%d-k%d", id, j%7), fmt.Sprintf("v%d", j)
			err = s.SetSecret(ctx, op.Key, op.Val)
		}
		op.Ret, op.OK = time.Now().UnixNano(), err == nil
		if err := enc.Encode(op); err != nil {
			return 3
		}
	}
	return 0
}

// kvModel: per key (partitioned), "inc" must produce the stored counter
// plus one, "set" stores its value, "get" (the final read) must match.
func kvModel() porcupine.Model {
	return porcupine.Model{
		Partition: func(h []porcupine.Operation) [][]porcupine.Operation {
			by := map[string][]porcupine.Operation{}
			var order []string
			for _, op := range h {
				k := op.Input.(mpOp).Key
				if _, ok := by[k]; !ok {
					order = append(order, k)
				}
				by[k] = append(by[k], op)
			}
			out := make([][]porcupine.Operation, 0, len(order))
			for _, k := range order {
				out = append(out, by[k])
			}
			return out
		},
		Init: func() any { return "" },
		Step: func(state, input, output any) (bool, any) {
			st, in := state.(string), input.(mpOp)
			switch in.Kind {
			case "inc":
				c, _ := strconv.Atoi(st)
				return in.Val == strconv.Itoa(c+1), in.Val
			case "set":
				return true, in.Val
			default: // get
				return output.(string) == st, st
			}
		},
	}
}

// Two OS processes update one real store through flock: every
// acknowledged write is present and the history is linearizable.
func TestTwoProcessesLinearizable(t *testing.T) {
	if testing.Short() {
		t.Skip("spawns processes")
	}
	dir := t.TempDir()
	exe, err := os.Executable()
	require.NoError(t, err)
	var cmds []*exec.Cmd
	var outs []*bufio.Scanner
	for i := range 2 {
		cmd := exec.Command(exe, "-test.run=^$")
		cmd.Env = append(os.Environ(), mpDirEnv+"="+dir, mpIDEnv+"="+strconv.Itoa(i), mpNEnv+"="+strconv.Itoa(mpIters))
		cmd.Stderr = os.Stderr
		stdout, err := cmd.StdoutPipe()
		require.NoError(t, err)
		require.NoError(t, cmd.Start())
		cmds = append(cmds, cmd)
		outs = append(outs, bufio.NewScanner(stdout))
	}
	// Drain both pipes at once (a full pipe would stall a helper).
	lines := make([][]mpOp, len(outs))
	errs := make(chan error, len(outs))
	for i, sc := range outs {
		go func() {
			for sc.Scan() {
				var op mpOp
				if err := json.Unmarshal(sc.Bytes(), &op); err != nil {
					errs <- err
					return
				}
				lines[i] = append(lines[i], op)
			}
			errs <- sc.Err()
		}()
	}
	for range outs {
		require.NoError(t, <-errs)
	}
	var hist []porcupine.Operation
	incs := 0
	for i := range outs {
		require.NoError(t, cmds[i].Wait(), "helper %d", i)
		for _, op := range lines[i] {
			require.True(t, op.OK, "process %d: %s %s failed", op.Proc, op.Kind, op.Key)
			if op.Kind == "inc" {
				incs++
			}
			hist = append(hist, porcupine.Operation{ClientId: op.Proc, Input: op, Call: op.Call, Output: "", Return: op.Ret})
		}
	}
	require.Len(t, hist, 2*mpIters)

	s, err := encfile.Open(afero.NewOsFs(), filepath.Join(dir, "secrets_encrypted"), []byte(mpPass))
	require.NoError(t, err)
	final, err := s.Snapshot(context.Background())
	require.NoError(t, err)
	require.Equal(t, strconv.Itoa(incs), final["counter"], "every acknowledged increment is present")
	now := time.Now().UnixNano()
	for k, v := range final {
		hist = append(hist, porcupine.Operation{ClientId: 2, Input: mpOp{Kind: "get", Key: k}, Call: now, Output: v, Return: now + 1})
	}
	require.Len(t, final, 1+2*7, "the counter and each process's seven keys")
	require.Equal(t, porcupine.Ok, porcupine.CheckOperationsTimeout(kvModel(), hist, 10*time.Second), "history not linearizable")

	// The checker is not vacuous: a lost increment is rejected.
	bad := append([]porcupine.Operation(nil), hist...)
	bad = append(bad, porcupine.Operation{ClientId: 3, Input: mpOp{Kind: "get", Key: "counter"}, Call: now + 2, Output: strconv.Itoa(incs - 1), Return: now + 3})
	require.Equal(t, porcupine.Illegal, porcupine.CheckOperationsTimeout(kvModel(), bad, 10*time.Second))
}
