"""Temperature arithmetic: probabilities at one temperature give those at another without running the model."""
import numpy as np
import torch

import evaluation
from models import EmotionCNN, LogMelFrontEnd, ServingModel


def test_rescale_recovers_the_uncalibrated_model_and_reaches_other_temperatures():
    torch.manual_seed(0)
    frontend, cnn = LogMelFrontEnd(), EmotionCNN().eval()
    waves = [np.random.default_rng(i).standard_normal(16000).astype(np.float32) * 0.1 for i in range(4)]
    at = {t: evaluation.probabilities(ServingModel(frontend, cnn, temperature=t), waves) for t in (1.0, 1.7, 0.6)}
    assert np.allclose(evaluation.rescale(at[1.7], 1.7), at[1.0], atol=1e-5)
    assert np.allclose(evaluation.rescale(at[1.0], 1 / 0.6), at[0.6], atol=1e-5)
    assert not np.allclose(at[1.7], at[1.0], atol=1e-3)  # the temperatures really differ


def test_expected_calibration_error_of_a_perfectly_calibrated_and_an_overconfident_model():
    y = np.array([0, 0, 1, 1])
    sure_and_right = np.eye(7)[y]
    assert evaluation.expected_calibration_error(sure_and_right, y) == 0.0
    sure_and_half_wrong = np.eye(7)[[0, 1, 1, 0]]
    assert abs(evaluation.expected_calibration_error(sure_and_half_wrong, y) - 0.5) < 1e-9
