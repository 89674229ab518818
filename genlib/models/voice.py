"""GenLab's own voice generator: a conditional VAE over 64×64 log-mel pictures of spoken digits ("speech" dataset).

The same convolutional CVAE as the image models (``genlib/models/vae.py``), one stride-2 stage deeper for 64×64
(64 → 32 → 16 → 8), with the class-consistency critic; the digit is the condition and the 16-D latent carries the
voice and the manner (pitch, speed, timbre, accent). Per-class Gaussians fitted to the encoded training set are the
sampling prior, so "say 7, seed 3" draws a voice the model has learned. Audio comes from the Griffin-Lim vocoder in
``genlib.audio.features``; voice morphing interpolates latents between two utterances (``genlib.audio.voice``).
"""

from __future__ import annotations

from genlib.models.gan_mlp import TEMPERATURE
from genlib.models.vae import PRIOR, ConditionalVAE
from genlib.registry import ModelSpec, TrainRecipe, register


class VoiceCVAE(ConditionalVAE):
    model_id = "voice"

    def __init__(self, latent_dim: int = 16, channels: int = 32, hidden: int = 256, num_classes: int = 10,
                 beta: float = 1.0, prior_components: int = 10, consistency: float = 20.0, image_size: int = 64):
        super().__init__(latent_dim, channels, hidden, num_classes, beta, prior_components, consistency, image_size)


register(ModelSpec(
    id="voice", title="Spoken-digit CVAE", family="vae", factory=VoiceCVAE, modality="audio", encoder=True,
    conditional=True, params=(TEMPERATURE, PRIOR), datasets=("speech",), latent_tools=False,
    presets={"default": {"latent_dim": 16, "consistency": 20.0},
             "tiny": {"latent_dim": 2, "channels": 4, "hidden": 16, "consistency": 20.0}},
    recipe=TrainRecipe(batch_size=64, lr=1e-3, steps={"speech": 6000}),
    description="Conditional VAE over log-mel spectrograms of spoken digits; Griffin-Lim turns them into audio.",
))
