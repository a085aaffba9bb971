package train

// Metrics is one evaluation of a training run, written as one line of metrics.jsonl. Fields
// that could not be computed for this model (an exact log-likelihood of a model too large
// to enumerate, a free-energy gap without held-out data) are omitted, not zero.
type Metrics struct {
	Epoch          int     `json:"epoch"`           // epochs completed
	Step           int     `json:"step"`            // parameter updates so far
	ElapsedSeconds float64 `json:"elapsed_seconds"` // wall time of the run so far, excluding monitoring
	LearningRate   float64 `json:"lr"`              // learning rate of the last update

	// ReconError is the mean over monitored rows of Σ_i (v_i − v̂_i)², v̂ = E[v | E[h|v]].
	ReconError float64 `json:"recon_error"`
	// PseudoLogLikelihood is the mean over monitored rows of Σ_i log p(v_i | v_−i): exact
	// over all units when nv is small, otherwise nv times the log-conditional of one unit
	// chosen at random per row (an unbiased estimate).
	PseudoLogLikelihood float64 `json:"pseudo_log_likelihood"`
	// PseudoLogLikelihoodPerUnit is PseudoLogLikelihood / nv.
	PseudoLogLikelihoodPerUnit float64 `json:"pseudo_log_likelihood_per_unit"`

	FreeEnergyTrain *float64 `json:"free_energy_train,omitempty"` // mean F(v) over monitored training rows
	FreeEnergyValid *float64 `json:"free_energy_valid,omitempty"` // mean F(v) over held-out rows
	FreeEnergyGap   *float64 `json:"free_energy_gap,omitempty"`   // valid − train; growth means overfitting (Hinton 2010, §6)

	LogZ               *float64 `json:"log_z,omitempty"`                // exact log partition function
	LogLikelihood      *float64 `json:"log_likelihood,omitempty"`       // exact mean log-likelihood of the training data
	ValidLogLikelihood *float64 `json:"valid_log_likelihood,omitempty"` // exact mean log-likelihood of held-out data

	// GradCosine and GradRelError compare the gradient the estimator produced on the last
	// minibatch with the exact gradient on the same minibatch at the same parameters:
	// cos∠(g, g*) and ‖g − g*‖/‖g*‖. Only for enumerable models.
	GradCosine   *float64 `json:"grad_cosine,omitempty"`
	GradRelError *float64 `json:"grad_rel_error,omitempty"`

	// SwapRates are parallel tempering's acceptance rates per neighbouring pair of
	// temperatures, over the epoch.
	SwapRates []float64 `json:"swap_rates,omitempty"`

	// AIS estimates, when requested every N epochs.
	AISLogZ                     *float64 `json:"ais_log_z,omitempty"`
	AISLogZStderr               *float64 `json:"ais_log_z_stderr,omitempty"`
	AISLogLikelihood            *float64 `json:"ais_log_likelihood,omitempty"`
	AISLogLikelihoodStderr      *float64 `json:"ais_log_likelihood_stderr,omitempty"`
	AISValidLogLikelihood       *float64 `json:"ais_valid_log_likelihood,omitempty"`
	AISValidLogLikelihoodStderr *float64 `json:"ais_valid_log_likelihood_stderr,omitempty"`

	// The final evaluation, which boltz train adds to the last record: the mean
	// log-likelihood of held-out rows (TestData names them), exact or by AIS.
	// TestLogLikelihoodStderr is the error of log Z carried over (0 when exact);
	// TestLogLikelihoodDataStderr the sampling error of the mean over the rows.
	// TestLogLikelihoodReverse is reverse AIS's estimate, Trustworthy the verdict on the
	// forward/reverse pair (always true for exact), UntrustworthyReason its reason
	// ("gap_too_wide", "inverted" or "low_ess").
	TestData                    string   `json:"test_data,omitempty"`
	TestLogLikelihood           *float64 `json:"test_log_likelihood,omitempty"`
	TestLogLikelihoodStderr     *float64 `json:"test_log_likelihood_stderr,omitempty"`
	TestLogLikelihoodDataStderr *float64 `json:"test_log_likelihood_data_stderr,omitempty"`
	TestLogLikelihoodReverse    *float64 `json:"test_log_likelihood_reverse,omitempty"`
	TestLogLikelihoodMethod     string   `json:"test_log_likelihood_method,omitempty"`
	Trustworthy                 *bool    `json:"trustworthy,omitempty"`
	UntrustworthyReason         *string  `json:"untrustworthy_reason,omitempty"`
	TestAISRuns                 *int     `json:"test_ais_runs,omitempty"`
	TestAISBetas                *int     `json:"test_ais_betas,omitempty"`
	TestAISESS                  *float64 `json:"test_ais_ess,omitempty"`
}
