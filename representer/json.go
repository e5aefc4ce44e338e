package representer

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
)

// ReadNetwork decodes one NETWORK object (DESIGN §6) from r and validates
// it. Unknown fields are ignored, so a whole `fit --json` "network" value or
// a file with extra metadata can be read; anything after the object other
// than white space is an error. For a one-dimensional network "w" may be a
// number instead of a one-element array. Decoding errors are wrapped;
// validation errors are the *ValidationError of Validate, which names the
// offending neuron and field.
func ReadNetwork(r io.Reader) (*Network, error) {
	// The neurons are decoded one by one so that a type error names its
	// neuron; the outer Neurons field shadows the embedded one.
	var wire struct {
		Network
		Neurons []json.RawMessage `json:"neurons"`
	}
	dec := json.NewDecoder(r)
	if err := dec.Decode(&wire); err != nil {
		return nil, fmt.Errorf("representer: decoding network: %w", err)
	}
	n := wire.Network
	if wire.Neurons != nil {
		n.Neurons = make([]Neuron, len(wire.Neurons))
		for k, raw := range wire.Neurons {
			if err := json.Unmarshal(raw, &n.Neurons[k]); err != nil {
				return nil, fmt.Errorf("representer: decoding network: neuron %d: %w", k, err)
			}
		}
	}
	if _, err := dec.Token(); err != io.EOF {
		if err == nil {
			err = errors.New("more than one JSON value")
		}
		return nil, fmt.Errorf("representer: decoding network: after the object: %w", err)
	}
	if err := n.Validate(); err != nil {
		return nil, err
	}
	return &n, nil
}

// WriteJSON writes n to w as an indented NETWORK object (DESIGN §6)
// followed by a newline. It writes only valid networks and returns the
// error of Validate otherwise. An empty neuron list is written as [].
func (n *Network) WriteJSON(w io.Writer) error {
	if err := n.Validate(); err != nil {
		return err
	}
	c := *n
	if c.Neurons == nil {
		c.Neurons = []Neuron{}
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	if err := enc.Encode(&c); err != nil {
		return fmt.Errorf("representer: writing network: %w", err)
	}
	return nil
}

// UnmarshalJSON decodes a neuron {"w": [...], "b": b, "v": v}, also
// accepting a bare number for "w" (a one-dimensional neuron).
func (u *Neuron) UnmarshalJSON(data []byte) error {
	var raw struct {
		W json.RawMessage `json:"w"`
		B float64         `json:"b"`
		V float64         `json:"v"`
	}
	if err := json.Unmarshal(data, &raw); err != nil {
		return err
	}
	*u = Neuron{B: raw.B, V: raw.V}
	w := bytes.TrimSpace(raw.W)
	switch {
	case len(w) == 0 || bytes.Equal(w, []byte("null")):
	case w[0] == '[':
		if err := json.Unmarshal(w, &u.W); err != nil {
			return fmt.Errorf("field w: %w", err)
		}
	default:
		var x float64
		if err := json.Unmarshal(w, &x); err != nil {
			return fmt.Errorf("field w: %w", err)
		}
		u.W = []float64{x}
	}
	return nil
}
